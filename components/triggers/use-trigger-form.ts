'use client';

import { useState, type FormEvent } from 'react';
import { createTriggerAction, updateTriggerAction } from '@/app/(app)/workflows/[key]/triggers/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import {
  buildTriggerDefinition,
  draftFromTrigger,
  emptyTriggerDraft,
  TRIGGER_FIELDS,
  type TTriggerDraft,
} from '@/components/triggers/trigger-draft';

/** A stored trigger the dialog edits instead of creating one. */
export type TEditableTrigger = {
  id: string;
  type: 'webhook' | 'schedule' | 'event';
  config: Record<string, unknown>;
  version: number | null;
  enabled: boolean;
};

/** Sets one field of the draft. */
export type TSetTriggerDraftField = <K extends keyof TTriggerDraft>(field: K, value: TTriggerDraft[K]) => void;

/** The message to show at a field (by its path in the definition), led by the field's label when the server's is bare. */
export type TTriggerErrorAt = (path: string, label: string) => string | undefined;

/** What a per-type section of the trigger form reads and writes. */
export type TTriggerFieldsProps = { draft: TTriggerDraft; set: TSetTriggerDraftField; serverErrorAt: TTriggerErrorAt };

/**
 * The trigger form's state: the draft, whether the dialog is open, the create or update server action,
 * and where each error (the draft's own checks first, then the server's) is shown.
 */
export function useTriggerForm({ workflowKey, editing }: { workflowKey: string; editing?: TEditableTrigger }) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<TTriggerDraft>(() => (editing ? draftFromTrigger(editing) : emptyTriggerDraft()));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const creating = useServerAction(createTriggerAction);
  const updating = useServerAction(updateTriggerAction);
  const { pending, error, run, reset } = editing ? updating : creating;
  const set: TSetTriggerDraftField = (field, value) => setDraft((current) => ({ ...current, [field]: value }));
  // A message deeper than a field (config.input.period: the parameter schema's verdict) shows at that field.
  const nestedError = (path: string) =>
    Object.entries(error?.fields ?? {}).find(([key]) => key.startsWith(`${path}.`))?.[1];
  const errorAt = (path: string) => localErrors[path] ?? fieldError(error, path) ?? nestedError(path);
  const shownFields = [
    ...TRIGGER_FIELDS,
    ...Object.keys(error?.fields ?? {}).filter((key) => TRIGGER_FIELDS.some((field) => key.startsWith(`${field}.`))),
  ];
  // The server words field messages to follow the field's name ("cron: needs 5 fields"); at the field, say the name.
  const serverErrorAt: TTriggerErrorAt = (path, label) => {
    const message = errorAt(path);
    return message && /^[a-z"]/.test(message) ? `${label} ${message}` : message;
  };
  const formError = Object.keys(localErrors).length > 0 ? null : formLevelError(error, shownFields);

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

  return { open, setOpen, draft, set, serverErrorAt, formError, pending, openDialog, submit };
}
