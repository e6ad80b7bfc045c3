'use client';

import { Pencil, Plus } from 'lucide-react';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Select } from '@/components/ui/select';
import { EventTriggerFields } from '@/components/triggers/event-trigger-fields';
import { ScheduleTriggerFields } from '@/components/triggers/schedule-trigger-fields';
import type { TTriggerDraft } from '@/components/triggers/trigger-draft';
import { useTriggerForm, type TEditableTrigger } from '@/components/triggers/use-trigger-form';
import { WebhookTriggerFields } from '@/components/triggers/webhook-trigger-fields';

export type { TEditableTrigger } from '@/components/triggers/use-trigger-form';

const TYPE_OPTIONS = [
  { value: 'webhook', label: 'Webhook', description: 'An HTTP POST to a secret URL starts a run with its JSON body' },
  { value: 'schedule', label: 'Schedule', description: 'A cron expression in a time zone' },
  { value: 'event', label: 'Event', description: 'An event posted to /api/v1/events' },
] as const;

type TProps = { workflowKey: string; publishedVersions: number[]; secretNames: string[]; editing?: TEditableTrigger };

/**
 * Adds a webhook, schedule or event trigger. The server checks what the form cannot (cron and
 * time zone, JSONata syntax, that the secret exists) and its messages appear at the fields they
 * name; the form keeps everything typed until the trigger is created.
 */
export function NewTriggerDialog({ workflowKey, publishedVersions, secretNames, editing }: TProps) {
  const { open, setOpen, draft, set, serverErrorAt, formError, pending, openDialog, submit } = useTriggerForm({
    workflowKey,
    editing,
  });
  const versionOptions = [
    { value: 'latest', label: 'The latest published version' },
    ...publishedVersions.map((v) => ({ value: String(v), label: `Version ${v} (pinned)` })),
  ];
  const sectionProps = { draft, set, serverErrorAt };

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
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
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

          {draft.type === 'webhook' && <WebhookTriggerFields {...sectionProps} secretNames={secretNames} />}
          {draft.type === 'schedule' && <ScheduleTriggerFields {...sectionProps} />}
          {draft.type === 'event' && <EventTriggerFields {...sectionProps} />}

          <label className="flex items-center gap-2 text-sm text-ink">
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(event) => set('enabled', event.target.checked)}
              className="size-4 accent-(--color-accent)"
            />
            {editing ? 'Enabled' : 'Enabled as soon as it is created'}
          </label>
          <FormError message={formError} />
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
