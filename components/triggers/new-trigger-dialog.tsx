'use client';

import { Pencil, Plus } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { createTriggerAction, updateTriggerAction } from '@/app/(app)/workflows/[key]/triggers/server-actions';
import { SchedulePreview } from '@/components/triggers/schedule-preview';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input, INPUT_CLASSES } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { cx } from '@/components/ui/cx';
import {
  buildTriggerDefinition,
  draftFromTrigger,
  emptyTriggerDraft,
  TRIGGER_FIELDS,
  type TTriggerDraft,
} from '@/components/triggers/trigger-draft';

const TYPE_OPTIONS = [
  { value: 'webhook', label: 'Webhook', description: 'An HTTP POST to a secret URL starts a run with its JSON body' },
  { value: 'schedule', label: 'Schedule', description: 'A cron expression in a time zone' },
  { value: 'event', label: 'Event', description: 'An event posted to /api/v1/events' },
] as const;

const MODE_OPTIONS = [
  { value: 'async', label: 'async: answer 202 at once' },
  { value: 'sync', label: 'sync: wait for the run and answer with its output' },
] as const;

const NO_SECRET = '__none__';

/** A stored trigger the dialog edits instead of creating one. */
export type TEditableTrigger = {
  id: string;
  type: 'webhook' | 'schedule' | 'event';
  config: Record<string, unknown>;
  version: number | null;
  enabled: boolean;
};

type TProps = { workflowKey: string; publishedVersions: number[]; secretNames: string[]; editing?: TEditableTrigger };

/**
 * Adds a webhook, schedule or event trigger. The server checks what the form cannot (cron and
 * time zone, JSONata syntax, that the secret exists) and its messages appear at the fields they
 * name; the form keeps everything typed until the trigger is created.
 */
export function NewTriggerDialog({ workflowKey, publishedVersions, secretNames, editing }: TProps) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<TTriggerDraft>(() => (editing ? draftFromTrigger(editing) : emptyTriggerDraft()));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const creating = useServerAction(createTriggerAction);
  const updating = useServerAction(updateTriggerAction);
  const { pending, error, run, reset } = editing ? updating : creating;
  const set = <K extends keyof TTriggerDraft>(field: K, value: TTriggerDraft[K]) =>
    setDraft((current) => ({ ...current, [field]: value }));
  // A message deeper than a field (config.input.period: the parameter schema's verdict) shows at that field.
  const nestedError = (path: string) =>
    Object.entries(error?.fields ?? {}).find(([key]) => key.startsWith(`${path}.`))?.[1];
  const errorAt = (path: string) => localErrors[path] ?? fieldError(error, path) ?? nestedError(path);
  const shownFields = [
    ...TRIGGER_FIELDS,
    ...Object.keys(error?.fields ?? {}).filter((key) => TRIGGER_FIELDS.some((field) => key.startsWith(`${field}.`))),
  ];
  // The server words field messages to follow the field's name ("cron: needs 5 fields"); at the field, say the name.
  const serverErrorAt = (path: string, label: string) => {
    const message = errorAt(path);
    return message && /^[a-z"]/.test(message) ? `${label} ${message}` : message;
  };

  const openDialog = () => {
    // Editing starts from what is stored now; a new trigger gets a time zone people recognise,
    // rather than UTC, unless they already typed one.
    if (editing) setDraft(draftFromTrigger(editing));
    else
      setDraft((current) =>
        current.timezone ? current : { ...current, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone },
      );
    reset();
    setLocalErrors({});
    setOpen(true);
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const built = buildTriggerDefinition(draft);
    setLocalErrors(built.ok ? {} : built.errors);
    if (!built.ok) {
      reset();
      return;
    }
    if (editing) {
      // The whole config is sent, and "latest" as null, so a cleared field is cleared on the server too.
      const { version, ...rest } = built.definition;
      run({ id: editing.id, ...rest, version: version ?? null }, () => {
        setOpen(false);
        reset();
      });
      return;
    }
    run({ key: workflowKey, ...built.definition }, () => {
      setOpen(false);
      setDraft(emptyTriggerDraft());
      reset();
    });
  };
  const versionOptions = [
    { value: 'latest', label: 'The latest published version' },
    ...publishedVersions.map((v) => ({ value: String(v), label: `Version ${v} (pinned)` })),
  ];
  const secretOptions = [
    { value: NO_SECRET, label: 'None: accept unsigned requests' },
    ...secretNames.map((name) => ({ value: name, label: name })),
  ];

  return (
    <>
      {editing ? (
        <Button size="sm" variant="ghost" onClick={openDialog} aria-label={`Edit ${editing.type} trigger`}>
          <Pencil className="size-3.5" aria-hidden />
          Edit
        </Button>
      ) : (
        <Button variant="secondary" onClick={openDialog}>
          <Plus className="size-4" aria-hidden />
          New trigger
        </Button>
      )}
      <Dialog
        open={open}
        onOpenChange={setOpen}
        size="lg"
        title={editing ? `Edit ${editing.type} trigger` : 'New trigger'}
        description={
          editing
            ? editing.type === 'webhook'
              ? 'Its URL stays the same; callers need no change.'
              : 'Changes apply from the next firing; runs already started keep their input.'
            : 'What starts a run of this workflow besides the Run button.'
        }
      >
        <form
          onSubmit={submit}
          noValidate
          className="flex flex-col gap-4"
          aria-label={editing ? 'Edit trigger' : 'New trigger'}
        >
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="trigger-type" label="Type" hint={TYPE_OPTIONS.find((o) => o.value === draft.type)?.description}>
              <Select
                id="trigger-type"
                aria-label="Type"
                aria-describedby={fieldMessageId('trigger-type')}
                value={draft.type}
                onValueChange={(value) => set('type', value as TTriggerDraft['type'])}
                options={TYPE_OPTIONS}
                disabled={Boolean(editing)}
              />
            </Field>
            <Field
              id="trigger-version"
              label="Version"
              error={serverErrorAt('version', 'Version')}
              hint="Runs start this version."
            >
              <Select
                id="trigger-version"
                aria-label="Version"
                aria-describedby={fieldMessageId('trigger-version')}
                value={draft.version}
                onValueChange={(value) => set('version', value)}
                options={versionOptions}
              />
            </Field>
          </div>

          {draft.type === 'webhook' && (
            <>
              <div className="grid gap-4 sm:grid-cols-2">
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
                  <TextField
                    id="trigger-wait"
                    label="Wait for the run (ms)"
                    error={serverErrorAt('config.waitMs', 'Wait')}
                    value={draft.waitMs}
                    onChange={(v) => set('waitMs', v)}
                    inputMode="numeric"
                    hint="0–60000; after this the answer is 202 with the run id."
                  />
                ) : (
                  <TextField
                    id="trigger-rate"
                    label="Requests per minute"
                    error={serverErrorAt('config.rateLimitPerMinute', 'Requests per minute')}
                    value={draft.rateLimitPerMinute}
                    onChange={(v) => set('rateLimitPerMinute', v)}
                    inputMode="numeric"
                    hint="More answer 429 (1–10000)."
                  />
                )}
              </div>
              {draft.mode === 'sync' && (
                <TextField
                  id="trigger-rate"
                  label="Requests per minute"
                  error={serverErrorAt('config.rateLimitPerMinute', 'Requests per minute')}
                  value={draft.rateLimitPerMinute}
                  onChange={(v) => set('rateLimitPerMinute', v)}
                  inputMode="numeric"
                  hint="More answer 429 (1–10000)."
                />
              )}
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
          )}

          {draft.type === 'schedule' && (
            <>
              <div className="grid gap-4 sm:grid-cols-2">
                <TextField
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
                <TextField
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
              <TextArea
                id="trigger-schedule-input"
                label="Input (JSON)"
                error={serverErrorAt('config.input', 'Input')}
                value={draft.scheduleInput}
                onChange={(v) => set('scheduleInput', v)}
                placeholder='{ "report": "daily" }'
                hint="The run's input on every tick; checked against the parameter schema when it fires."
              />
            </>
          )}

          {draft.type === 'event' && (
            <>
              <TextField
                id="trigger-event"
                label="Event name"
                error={serverErrorAt('config.event', 'Event name')}
                value={draft.event}
                onChange={(v) => set('event', v)}
                mono
                autoFocus
                placeholder="invoice.received"
              />
              <TextArea
                id="trigger-filter"
                label="Filter (JSONata)"
                error={serverErrorAt('config.filter', 'Filter')}
                value={draft.filter}
                onChange={(v) => set('filter', v)}
                placeholder="payload.amount > 1000"
                hint="Over the event; only events where it is true start a run."
              />
              <TextArea
                id="trigger-input"
                label="Input (JSONata)"
                error={serverErrorAt('config.input', 'Input')}
                value={draft.input}
                onChange={(v) => set('input', v)}
                placeholder='{ "invoice": payload.id }'
                hint="Builds the run's input from the event; the payload when left empty."
              />
            </>
          )}

          <label className="flex items-center gap-2 text-sm text-ink">
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(event) => set('enabled', event.target.checked)}
              className="size-4 accent-(--color-accent)"
            />
            {editing ? 'Enabled' : 'Enabled as soon as it is created'}
          </label>
          <FormError message={Object.keys(localErrors).length > 0 ? null : formLevelError(error, shownFields)} />
          <DialogFooter>
            <Button onClick={() => setOpen(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" loading={pending}>
              {editing ? 'Save changes' : 'Create trigger'}
            </Button>
          </DialogFooter>
        </form>
      </Dialog>
    </>
  );
}

function supportedTimeZones(): string[] {
  return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
}

type TTextFieldProps = {
  id: string;
  label: string;
  error?: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  mono?: boolean;
  optional?: boolean;
  autoFocus?: boolean;
  placeholder?: string;
  list?: string;
  inputMode?: 'numeric';
};

function TextField({
  id,
  label,
  error,
  value,
  onChange,
  hint,
  mono,
  optional,
  autoFocus,
  placeholder,
  list,
  inputMode,
}: TTextFieldProps) {
  return (
    <Field id={id} label={label} error={error} hint={hint} optional={optional}>
      <Input
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        className={cx(mono && 'font-mono')}
        autoFocus={autoFocus}
        placeholder={placeholder}
        list={list}
        inputMode={inputMode}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={Boolean(error)}
        aria-describedby={fieldMessageId(id)}
      />
    </Field>
  );
}

function TextArea({
  id,
  label,
  error,
  value,
  onChange,
  hint,
  placeholder,
}: {
  id: string;
  label: string;
  error?: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  placeholder?: string;
}) {
  return (
    <Field id={id} label={label} error={error} hint={hint} optional>
      <textarea
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        rows={2}
        spellCheck={false}
        placeholder={placeholder}
        className={cx(INPUT_CLASSES, 'h-auto py-2 font-mono text-[13px]')}
        aria-invalid={Boolean(error)}
        aria-describedby={fieldMessageId(id)}
        // Enter submits like every other field; Shift+Enter adds a line.
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey) {
            event.preventDefault();
            event.currentTarget.form?.requestSubmit();
          }
        }}
      />
    </Field>
  );
}
