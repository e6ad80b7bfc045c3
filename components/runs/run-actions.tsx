'use client';

import { useRouter } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import {
  cancelRunAction,
  pauseRunAction,
  rerunRunAction,
  resumeRunAction,
  retryRunAction,
} from '@/app/(app)/runs/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { JsonEditor, parseJsonText } from '@/components/runs/json-editor';
import { MigrateRunDialog } from '@/components/runs/migrate-run-dialog';
import { Button, type TButtonVariant } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { INPUT_CLASSES } from '@/components/ui/input';
import type { TServerAction } from '@/model/server-action-result';
import { canOperate, type TRunStatus } from '@/model/run-status';

type TKind = 'pause' | 'resume' | 'resolve' | 'cancel' | 'retry' | 'rerun';

const COPY: Record<
  TKind,
  { label: string; title: string; description: string; confirm: string; variant: TButtonVariant }
> = {
  pause: {
    label: 'Pause',
    title: 'Pause this run?',
    description: 'It stops after its current step and stays paused until someone resumes it.',
    confirm: 'Pause run',
    variant: 'secondary',
  },
  resume: {
    label: 'Resume',
    title: 'Resume this run?',
    description: 'It continues where it was paused.',
    confirm: 'Resume run',
    variant: 'primary',
  },
  resolve: {
    label: 'Resume with payload',
    title: 'Resolve the wait and resume?',
    description:
      'The open wait is resolved with this payload, as if the event had arrived (a task wait takes {"outcome", "data"}).',
    confirm: 'Resolve and resume',
    variant: 'secondary',
  },
  cancel: {
    label: 'Cancel run',
    title: 'Cancel this run?',
    description:
      'The run ends as canceled: an action in flight is aborted and its waits and tasks are closed. This cannot be undone.',
    confirm: 'Cancel run',
    variant: 'danger',
  },
  retry: {
    label: 'Retry from failed step',
    title: 'Retry from the failed step?',
    description: 'The failed step runs again with the state it had before it; steps before it are not repeated.',
    confirm: 'Retry',
    variant: 'primary',
  },
  rerun: {
    label: 'Rerun',
    title: 'Start a new run with the same input?',
    description: 'A new run starts; this one stays as it is.',
    confirm: 'Rerun',
    variant: 'primary',
  },
};

const ACTIONS: Record<TKind, TServerAction<unknown>> = {
  pause: pauseRunAction,
  resume: resumeRunAction,
  resolve: resumeRunAction,
  cancel: cancelRunAction,
  retry: retryRunAction,
  rerun: rerunRunAction,
};

/** The operations a run's status allows (SPEC §5); resolving a wait by hand is an admin's. */
export function availableRunActions(status: TRunStatus, isAdmin: boolean): TKind[] {
  const kinds: TKind[] = [];
  if (canOperate('pause', status)) kinds.push('pause');
  if (status === 'PAUSED') kinds.push('resume');
  if (status === 'WAITING' && isAdmin) kinds.push('resolve');
  if (canOperate('retry', status)) kinds.push('retry');
  if (canOperate('rerun', status)) kinds.push('rerun');
  if (canOperate('cancel', status)) kinds.push('cancel');
  return kinds;
}

function ActionDialog({
  kind,
  runId,
  version,
  latestVersion,
  onDone,
  onClose,
}: {
  kind: TKind;
  runId: string;
  version: number;
  latestVersion: number | null;
  onDone: (data: unknown) => void;
  onClose: () => void;
}) {
  const copy = COPY[kind];
  const { pending, error, run } = useServerAction(ACTIONS[kind]);
  const [reason, setReason] = useState('');
  const [latest, setLatest] = useState(false);
  const [payload, setPayload] = useState('{\n  \n}');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    // The reason is optional (SPEC leaves it so): an empty box sends none rather than failing the click.
    const input: Record<string, unknown> = { id: runId, ...(reason.trim() ? { reason: reason.trim() } : {}) };
    if (kind === 'rerun') input.latest = latest;
    if (kind === 'resolve') {
      const parsed = parseJsonText(payload);
      if (!parsed.ok) return setProblem('The payload is not valid JSON.');
      input.payload = parsed.value;
    }
    setProblem(null);
    run(input, onDone);
  };
  let extra: ReactNode = null;
  if (kind === 'rerun' && latestVersion !== null && latestVersion !== version) {
    extra = (
      <label className="flex items-center gap-2 text-sm text-ink">
        <input
          type="checkbox"
          checked={latest}
          onChange={(e) => setLatest(e.target.checked)}
          className="size-4 accent-(--color-accent)"
        />
        Run the latest version (v{latestVersion}) instead of v{version}
      </label>
    );
  }
  if (kind === 'resolve') extra = <JsonEditor label="Payload" value={payload} onChange={setPayload} />;
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title={copy.title} description={copy.description}>
      <form onSubmit={submit} className="flex flex-col gap-4">
        {extra}
        <Field
          id="run-action-reason"
          label="Reason"
          optional
          hint="Kept in the run's event log and the audit log."
          error={problem ?? error?.fields?.reason}
        >
          <textarea
            id="run-action-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={2}
            maxLength={500}
            className={`${INPUT_CLASSES} h-auto py-2`}
            autoFocus
          />
        </Field>
        <FormError message={error?.message} />
        <DialogFooter>
          <Button onClick={onClose} disabled={pending}>
            Back
          </Button>
          <Button type="submit" variant={copy.variant === 'secondary' ? 'primary' : copy.variant} loading={pending}>
            {copy.confirm}
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

/** The operator's buttons for one run: only those its status allows, each confirmed with a reason. */
export function RunActions({
  runId,
  status,
  version,
  latestVersion,
  isAdmin,
  onChanged,
}: {
  runId: string;
  status: TRunStatus;
  version: number;
  latestVersion: number | null;
  isAdmin: boolean;
  onChanged: () => void;
}) {
  const router = useRouter();
  const [open, setOpen] = useState<TKind | null>(null);
  const [migrating, setMigrating] = useState(false);
  const kinds = availableRunActions(status, isAdmin);
  // Another published version to move to: one newer than the run's (or an older one, typed in).
  const canMigrate = canOperate('migrate', status) && latestVersion !== null && latestVersion !== version;
  if (kinds.length === 0) return null;
  return (
    <div className="flex flex-wrap gap-2" aria-label="Run actions" role="group">
      {kinds.map((kind) => (
        <Button
          key={kind}
          size="sm"
          variant={kind === 'cancel' ? 'danger' : COPY[kind].variant === 'primary' ? 'primary' : 'secondary'}
          onClick={() => setOpen(kind)}
        >
          {COPY[kind].label}
        </Button>
      ))}
      {canMigrate && (
        <Button size="sm" variant="secondary" onClick={() => setMigrating(true)}>
          Move to v{latestVersion}…
        </Button>
      )}
      {migrating && latestVersion !== null && (
        <MigrateRunDialog
          runId={runId}
          version={version}
          latestVersion={latestVersion}
          onClose={() => setMigrating(false)}
          onDone={() => {
            setMigrating(false);
            onChanged();
          }}
        />
      )}
      {open && (
        <ActionDialog
          kind={open}
          runId={runId}
          version={version}
          latestVersion={latestVersion}
          onClose={() => setOpen(null)}
          onDone={(data) => {
            setOpen(null);
            if (open === 'rerun') router.push(`/runs/${(data as { runId: string }).runId}`);
            else onChanged();
          }}
        />
      )}
    </div>
  );
}
