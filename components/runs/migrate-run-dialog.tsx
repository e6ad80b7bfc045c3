'use client';

import { useState } from 'react';
import { migrateRunAction } from '@/app/(app)/runs/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { INPUT_CLASSES } from '@/components/ui/input';

/** `old = new` per line → `{old: new}`; a line that is not one says which. */
export function parseStepMap(text: string): { ok: true; value: Record<string, string> } | { ok: false; line: number } {
  const value: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const match = /^([^=\s]+)\s*(?:=|->|→)\s*([^=\s]+)$/.exec(line);
    if (!match) return { ok: false, line: i + 1 };
    value[match[1]!] = match[2]!;
  }
  return { ok: true, value };
}

/**
 * Moves a waiting or paused run to another published version (SPEC §9 migrate). What cannot be
 * carried comes back as the server's 409, one problem per step, shown as it is.
 */
export function MigrateRunDialog({
  runId,
  version,
  latestVersion,
  onDone,
  onClose,
}: {
  runId: string;
  version: number;
  latestVersion: number;
  onDone: () => void;
  onClose: () => void;
}) {
  const { pending, error, run } = useServerAction(migrateRunAction);
  const [target, setTarget] = useState(String(latestVersion));
  const [stepMap, setStepMap] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<{ field: 'version' | 'stepMap'; message: string } | null>(null);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const to = Number(target);
    if (!Number.isInteger(to) || to < 1)
      return setProblem({ field: 'version', message: 'Type a version number, e.g. 3.' });
    if (to === version) return setProblem({ field: 'version', message: `The run is already on v${version}.` });
    const map = parseStepMap(stepMap);
    if (!map.ok) return setProblem({ field: 'stepMap', message: `Line ${map.line}: write it as old-id = new-id.` });
    setProblem(null);
    run({ id: runId, version: to, stepMap: map.value, ...(reason.trim() ? { reason: reason.trim() } : {}) }, onDone);
  };
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="Move this run to another version?"
      description={`It continues from where it is (now v${version}) in the version you pick: steps are matched by id, the run's vars stay as they are, and steps the new version adds before this point do not run.`}
    >
      <form onSubmit={submit} className="flex flex-col gap-4">
        <Field
          id="migrate-version"
          label="To version"
          hint={`A published version; the latest is v${latestVersion}.`}
          error={problem?.field === 'version' ? problem.message : error?.fields?.version}
        >
          <input
            id="migrate-version"
            inputMode="numeric"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            className={INPUT_CLASSES}
            autoFocus
          />
        </Field>
        <Field
          id="migrate-step-map"
          label="Renamed steps"
          optional
          hint="One per line: old-id = new-id."
          error={problem?.field === 'stepMap' ? problem.message : undefined}
        >
          <textarea
            id="migrate-step-map"
            value={stepMap}
            onChange={(e) => setStepMap(e.target.value)}
            rows={2}
            spellCheck={false}
            className={`${INPUT_CLASSES} h-auto py-2 font-mono`}
          />
        </Field>
        <Field id="migrate-reason" label="Reason" optional hint="Kept in the run's event log and the audit log.">
          <textarea
            id="migrate-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={2}
            maxLength={500}
            className={`${INPUT_CLASSES} h-auto py-2`}
          />
        </Field>
        <FormError message={error?.message} />
        <DialogFooter>
          <Button onClick={onClose} disabled={pending}>
            Back
          </Button>
          <Button type="submit" variant="primary" loading={pending}>
            Move run
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
