'use client';

import { Field, fieldMessageId } from '@/components/ui/field';
import { Select } from '@/components/ui/select';
import { TriggerTextField } from '@/components/triggers/trigger-text-fields';
import type { TTriggerDraft } from '@/components/triggers/trigger-draft';
import type { TTriggerFieldsProps } from '@/components/triggers/use-trigger-form';

const MODE_OPTIONS = [
  { value: 'async', label: 'async: answer 202 at once' },
  { value: 'sync', label: 'sync: wait for the run and answer with its output' },
] as const;

const NO_SECRET = '__none__';

/** A webhook trigger's mode, wait, rate limit and signing secret. */
export function WebhookTriggerFields({
  draft,
  set,
  serverErrorAt,
  secretNames,
}: TTriggerFieldsProps & { secretNames: string[] }) {
  const secretOptions = [
    { value: NO_SECRET, label: 'None: accept unsigned requests' },
    ...secretNames.map((name) => ({ value: name, label: name })),
  ];

  // Beside the mode in async mode; in sync mode the wait takes that place and this goes below.
  const rateField = (
    <TriggerTextField
      id="trigger-rate"
      label="Requests per minute"
      error={serverErrorAt('config.rateLimitPerMinute', 'Requests per minute')}
      value={draft.rateLimitPerMinute}
      onChange={(v) => set('rateLimitPerMinute', v)}
      inputMode="numeric"
      hint="More answer 429 (1–10000)."
    />
  );

  return (
    <>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field id="trigger-mode" label="Mode" error={serverErrorAt('config.mode', 'Mode')}>
          <Select
            id="trigger-mode"
            aria-label="Mode"
            aria-describedby={fieldMessageId('trigger-mode')}
            value={draft.mode}
            onValueChange={(value) => set('mode', value as TTriggerDraft['mode'])}
            options={MODE_OPTIONS}
          />
        </Field>
        {draft.mode === 'sync' ? (
          <TriggerTextField
            id="trigger-wait"
            label="Wait for the run (ms)"
            error={serverErrorAt('config.waitMs', 'Wait')}
            value={draft.waitMs}
            onChange={(v) => set('waitMs', v)}
            inputMode="numeric"
            hint="0–60000; after this the answer is 202 with the run id."
          />
        ) : (
          rateField
        )}
      </div>
      {draft.mode === 'sync' && rateField}
      <Field
        id="trigger-secret"
        label="Signing secret"
        optional
        error={serverErrorAt('config.secret', 'Signing secret')}
        hint={
          secretNames.length === 0
            ? 'No secrets yet: create one under Settings → Secrets to require signed requests.'
            : 'Requests must carry a Pipewright-Signature made with this secret.'
        }
      >
        <Select
          id="trigger-secret"
          aria-label="Signing secret"
          aria-describedby={fieldMessageId('trigger-secret')}
          value={draft.secret || NO_SECRET}
          onValueChange={(value) => set('secret', value === NO_SECRET ? '' : value)}
          options={secretOptions}
        />
      </Field>
    </>
  );
}
