'use client';

import { SchedulePreview } from '@/components/triggers/schedule-preview';
import { TriggerTextArea, TriggerTextField } from '@/components/triggers/trigger-text-fields';
import type { TTriggerFieldsProps } from '@/components/triggers/use-trigger-form';

/** A schedule trigger's cron and time zone, the next firings they give, and the input of every run. */
export function ScheduleTriggerFields({ draft, set, serverErrorAt }: TTriggerFieldsProps) {
  return (
    <>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <TriggerTextField
          id="trigger-cron"
          label="Cron"
          error={serverErrorAt('config.cron', 'Cron')}
          value={draft.cron}
          onChange={(v) => set('cron', v)}
          mono
          autoFocus
          placeholder="0 9 * * 1-5"
          hint="minute hour day-of-month month day-of-week"
        />
        <TriggerTextField
          id="trigger-timezone"
          label="Time zone"
          error={serverErrorAt('config.timezone', 'Time zone')}
          value={draft.timezone}
          onChange={(v) => set('timezone', v)}
          list="trigger-timezones"
          hint="IANA name, e.g. Europe/Berlin"
        />
        <datalist id="trigger-timezones">
          {supportedTimeZones().map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </div>
      <SchedulePreview cron={draft.cron} timezone={draft.timezone} />
      <TriggerTextArea
        id="trigger-schedule-input"
        label="Input (JSON)"
        error={serverErrorAt('config.input', 'Input')}
        value={draft.scheduleInput}
        onChange={(v) => set('scheduleInput', v)}
        placeholder='{ "report": "daily" }'
        hint="The run's input on every tick; checked against the parameter schema when it fires."
      />
    </>
  );
}

function supportedTimeZones(): string[] {
  return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
}
