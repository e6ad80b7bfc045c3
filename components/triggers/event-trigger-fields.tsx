'use client';

import { TriggerTextArea, TriggerTextField } from '@/components/triggers/trigger-text-fields';
import type { TTriggerFieldsProps } from '@/components/triggers/use-trigger-form';

/** An event trigger's event name, its JSONata filter, and the JSONata that builds the run's input. */
export function EventTriggerFields({ draft, set, serverErrorAt }: TTriggerFieldsProps) {
  return (
    <>
      <TriggerTextField
        id="trigger-event"
        label="Event name"
        error={serverErrorAt('config.event', 'Event name')}
        value={draft.event}
        onChange={(v) => set('event', v)}
        mono
        autoFocus
        placeholder="invoice.received"
      />
      <TriggerTextArea
        id="trigger-filter"
        label="Filter (JSONata)"
        error={serverErrorAt('config.filter', 'Filter')}
        value={draft.filter}
        onChange={(v) => set('filter', v)}
        placeholder="payload.amount > 1000"
        hint="Over the event; only events where it is true start a run."
      />
      <TriggerTextArea
        id="trigger-input"
        label="Input (JSONata)"
        error={serverErrorAt('config.input', 'Input')}
        value={draft.input}
        onChange={(v) => set('input', v)}
        placeholder='{ "invoice": payload.id }'
        hint="Builds the run's input from the event; the payload when left empty."
      />
    </>
  );
}
