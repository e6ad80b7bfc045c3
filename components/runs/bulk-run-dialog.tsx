'use client';

import { useEffect, useState } from 'react';
import { bulkOperateRunsAction } from '@/app/(app)/runs/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { INPUT_CLASSES } from '@/components/ui/input';
import { parseStepMap } from '@/components/runs/migrate-run-dialog';
import type { TBulkResult } from '@/server/runs/bulk-operate-runs';
import type { TRunFilters } from '@/server/runs/run-filters';

export type TBulkTarget = { operation: 'cancel' | 'retry' | 'migrate'; ids?: string[]; filter?: TRunFilters };

const COPY = {
  cancel: { verb: 'Cancel', done: 'Canceled', can: 'canceled', after: 'Canceling cannot be undone.' },
  retry: { verb: 'Retry', done: 'Retried', can: 'retried', after: 'Each failed run continues from its failed step.' },
  migrate: {
    verb: 'Move',
    done: 'Moved',
    can: 'moved to another version',
    after:
      'Each waiting or paused run continues from where it is in the version you pick; a run whose position that version cannot carry is left as it is and listed.',
  },
} as const;

/**
 * Confirms a bulk cancel, retry or migrate: first asks the server how many of the chosen runs it would
 * act on (dry run), then does it with the reason, and reports what happened per run.
 */
export function BulkRunDialog({
  target,
  onClose,
  onDone,
}: {
  target: TBulkTarget;
  onClose: () => void;
  onDone: () => void;
}) {
  const preview = useServerAction(bulkOperateRunsAction);
  const apply = useServerAction(bulkOperateRunsAction);
  const [count, setCount] = useState<TBulkResult | null>(null);
  const [result, setResult] = useState<TBulkResult | null>(null);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [version, setVersion] = useState('');
  const [stepMap, setStepMap] = useState('');
  const [versionProblem, setVersionProblem] = useState<string | null>(null);
  const { run: runPreview } = preview;
  useEffect(() => {
    runPreview({ ...target, dryRun: true }, (data) => setCount(data));
  }, [runPreview, target]);
  const copy = COPY[target.operation];
  const verb = copy.verb;
  const confirm = (event: React.FormEvent) => {
    event.preventDefault();
    const extra: Record<string, unknown> = {};
    if (target.operation === 'migrate') {
      const to = Number(version);
      if (!Number.isInteger(to) || to < 1) return setVersionProblem('Type a version number, e.g. 3.');
      const map = parseStepMap(stepMap);
      if (!map.ok) return setVersionProblem(`Renamed steps, line ${map.line}: write it as old-id = new-id.`);
      Object.assign(extra, { version: to, stepMap: map.value });
    }
    setVersionProblem(null);
    setProblem(null);
    apply.run({ ...target, ...extra, ...(reason.trim() ? { reason: reason.trim() } : {}) }, (data) => {
      setResult(data);
      onDone();
    });
  };
  const eligible = count ? count.eligible - count.remaining : null;
  const description =
    count === null
      ? 'Counting the runs…'
      : count.eligible === 0
        ? `None of these runs can be ${copy.can} in their current status.`
        : `${verb} ${eligible} ${eligible === 1 ? 'run' : 'runs'}${count.remaining ? ` (${count.remaining} more match; run it again for those)` : ''}? ${copy.after}`;
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={`${verb} ${target.ids ? 'selected runs' : 'all matching runs'}`}
      description={result ? undefined : description}
    >
      {result ? (
        <div className="flex flex-col gap-3 text-sm" role="status">
          <p>
            {copy.done} {result.done} {result.done === 1 ? 'run' : 'runs'}.
          </p>
          {result.failed.length > 0 && (
            <ul className="list-disc pl-5 text-danger">
              {result.failed.map((f) => (
                <li key={f.runId}>
                  <code className="font-mono">{f.runId.slice(0, 8)}</code>: {f.message}
                </li>
              ))}
            </ul>
          )}
          <DialogFooter>
            <Button variant="primary" onClick={onClose}>
              Done
            </Button>
          </DialogFooter>
        </div>
      ) : (
        <form onSubmit={confirm} className="flex flex-col gap-4">
          {target.operation === 'migrate' && (
            <>
              <Field
                id="bulk-version"
                label="To version"
                hint="A published version of the runs' workflow."
                error={versionProblem ?? undefined}
              >
                <input
                  id="bulk-version"
                  inputMode="numeric"
                  value={version}
                  onChange={(e) => setVersion(e.target.value)}
                  className={INPUT_CLASSES}
                  autoFocus
                />
              </Field>
              <Field id="bulk-step-map" label="Renamed steps" optional hint="One per line: old-id = new-id.">
                <textarea
                  id="bulk-step-map"
                  value={stepMap}
                  onChange={(e) => setStepMap(e.target.value)}
                  rows={2}
                  spellCheck={false}
                  className={`${INPUT_CLASSES} h-auto py-2 font-mono`}
                />
              </Field>
            </>
          )}
          <Field
            id="bulk-reason"
            label="Reason"
            optional
            hint="Recorded with each run in the audit log."
            error={problem ?? undefined}
          >
            <textarea
              id="bulk-reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              rows={2}
              maxLength={500}
              className={`${INPUT_CLASSES} h-auto py-2`}
              autoFocus={target.operation !== 'migrate'}
            />
          </Field>
          <FormError message={preview.error?.message ?? apply.error?.message} />
          <DialogFooter>
            <Button onClick={onClose} disabled={apply.pending}>
              Back
            </Button>
            <Button
              type="submit"
              variant={target.operation === 'cancel' ? 'danger' : 'primary'}
              loading={apply.pending}
              disabled={!count || count.eligible === 0}
            >
              {verb} {eligible ?? ''} {eligible === 1 ? 'run' : 'runs'}
            </Button>
          </DialogFooter>
        </form>
      )}
    </Dialog>
  );
}
