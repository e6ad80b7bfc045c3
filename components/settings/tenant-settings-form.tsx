'use client';

import { useState, type FormEvent } from 'react';
import { updateTenantSettingsAction } from '@/app/(app)/settings/tenant/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { DEFAULT_RETENTION_DAYS, type TTenantSettings } from '@/model/tenant-settings';

const FIELDS = [
  {
    name: 'retentionDays',
    label: 'Keep ended runs for (days)',
    hint: `Runs are deleted with their steps, events and snapshots this long after they end, unless their workflow sets its own. Empty: ${DEFAULT_RETENTION_DAYS} days.`,
    placeholder: String(DEFAULT_RETENTION_DAYS),
  },
  {
    name: 'maxConcurrentRuns',
    label: 'Runs going at once, at most',
    hint: 'Across all workflows of the tenant; further runs wait QUEUED. Empty: no limit.',
    placeholder: 'No limit',
  },
  {
    name: 'runsPerMinute',
    label: 'Runs started per minute, at most',
    hint: 'Across all workflows of the tenant. Empty: no limit.',
    placeholder: 'No limit',
  },
  {
    name: 'artifactQuotaBytes',
    label: 'Artifacts stored, at most (bytes)',
    hint: "The files all runs' steps returned, together; a step that would pass it fails with ARTIFACT_QUOTA. Empty: the server's default (PIPEWRIGHT_ARTIFACT_QUOTA_BYTES, else 1 GiB).",
    placeholder: 'Server default',
  },
] as const;

/** A whole number, or null for an empty field; anything else goes to the server as typed, which names the problem. */
function numberOrNull(value: FormDataEntryValue | null): number | null | string {
  const text = String(value ?? '').trim();
  if (text === '') return null;
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}

/** Settings → Tenant: retention default and tenant-wide limits (admins edit, others read). */
export function TenantSettingsForm({ settings, canEdit }: { settings: TTenantSettings; canEdit: boolean }) {
  const [saved, setSaved] = useState(false);
  const { pending, error, run } = useServerAction(updateTenantSettingsAction);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setSaved(false);
    run(Object.fromEntries(FIELDS.map((field) => [field.name, numberOrNull(form.get(field.name))])), () =>
      setSaved(true),
    );
  };
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      {FIELDS.map((field) => {
        const id = `tenant-${field.name}`;
        const message = fieldError(error, field.name);
        return (
          <Field key={field.name} id={id} label={field.label} error={message} hint={field.hint}>
            <Input
              id={id}
              name={field.name}
              inputMode="numeric"
              defaultValue={settings[field.name] ?? ''}
              placeholder={field.placeholder}
              disabled={!canEdit}
              aria-invalid={Boolean(message)}
              aria-describedby={fieldMessageId(id)}
            />
          </Field>
        );
      })}
      <FormError
        message={formLevelError(
          error,
          FIELDS.map((field) => field.name),
        )}
      />
      {saved && (
        <p role="status" className="text-[13px] text-success">
          Saved.
        </p>
      )}
      {canEdit ? (
        <div>
          <Button type="submit" variant="primary" loading={pending}>
            Save
          </Button>
        </div>
      ) : (
        <p className="text-[13px] text-ink-muted">Only admins change these.</p>
      )}
    </form>
  );
}
