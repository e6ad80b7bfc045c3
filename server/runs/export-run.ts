import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { getRun, type TRunDetail } from '@/server/runs/get-run';
import { listRunSteps, type TStepRecord } from '@/server/runs/list-run-steps';
import { readRunEvents, type TRunEventRecord } from '@/server/runs/list-run-events';
import { listRunSnapshots, type TSnapshotRecord } from '@/server/runs/list-run-snapshots';
import { selectTaskRows, toTaskRecord, type TTaskRecord } from '@/server/tasks/task-record';

export type TRunExport = {
  format: 'pipewright.run-export';
  formatVersion: 1;
  exportedAt: string;
  run: TRunDetail;
  steps: TStepRecord[];
  events: TRunEventRecord[];
  snapshots: TSnapshotRecord[];
  tasks: TTaskRecord[];
};

/**
 * One run as a single JSON document (SPEC §8): the run, every step record, the whole event
 * log, the snapshots and the tasks, read through the same functions as the run page and the
 * API, so it is redacted exactly as they show it (secret values masked when the run stored
 * them, `settings.redact` applied to snapshots).
 */
export async function exportRun({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: { id: string };
}): Promise<TRunExport> {
  assertAllowed(ctx, 'run.read');
  const run = await getRun({ db, ctx, input });
  const steps: TStepRecord[] = [];
  for (let cursor: string | null | undefined; cursor !== null;) {
    const page = await listRunSteps({ db, ctx, input: { id: run.id, limit: 500, ...(cursor ? { cursor } : {}) } });
    steps.push(...page.items);
    cursor = page.nextCursor;
  }
  const snapshots: TSnapshotRecord[] = [];
  for (let cursor: string | null | undefined; cursor !== null;) {
    const page = await listRunSnapshots({ db, ctx, input: { id: run.id, limit: 200, ...(cursor ? { cursor } : {}) } });
    snapshots.push(...page.items);
    cursor = page.nextCursor;
  }
  const events: TRunEventRecord[] = [];
  for (let after = 0; ;) {
    const page = await readRunEvents(db, run.id, after, 1000);
    events.push(...page);
    if (page.length < 1000) break;
    after = page[page.length - 1]!.seq;
  }
  const tasks = (
    await selectTaskRows(db, ctx.tenantId).where('tasks.run_id', '=', run.id).orderBy('tasks.created_at').execute()
  ).map(toTaskRecord);
  return {
    format: 'pipewright.run-export',
    formatVersion: 1,
    exportedAt: new Date().toISOString(),
    run,
    steps,
    events,
    snapshots,
    tasks,
  };
}
