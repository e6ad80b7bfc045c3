import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';
import type { TAuthContext } from '@/server/auth/context';
import type { Db } from '@/server/db/database';
import { advanceRun } from '@/server/runtime/advance-run';
import { LeaseKeeper } from '@/server/runtime/run-store/lease-keeper';
import { isTerminal, type TRunStatus } from '@/model/run-status';
import { createWorkflow } from '@/server/workflows/create-workflow';
import { publishVersion } from '@/server/workflows/publish-version';
import { saveDraft } from '@/server/workflows/save-draft';
import type { TVersionDocumentInput } from '@/model/definition/version-document';

/** Creates, saves and publishes a workflow from a version document (without its key and name). */
export async function publishWorkflow({
  db,
  ctx,
  key,
  document,
}: {
  db: Db;
  ctx: TAuthContext;
  key: string;
  document: Omit<TVersionDocumentInput, 'key' | 'name'>;
}): Promise<void> {
  await createWorkflow({ db, ctx, input: { key, name: key } });
  await publishNextVersion({ db, ctx, key, version: 1, document });
}

/** Saves and publishes version `version` of an existing workflow (the next one after those it has). */
export async function publishNextVersion({
  db,
  ctx,
  key,
  version,
  document,
}: {
  db: Db;
  ctx: TAuthContext;
  key: string;
  version: number;
  document: Omit<TVersionDocumentInput, 'key' | 'name'>;
}): Promise<void> {
  await saveDraft({ db, ctx, input: { key, document: { key, name: key, ...document } as never } });
  await publishVersion({ db, ctx, input: { key, version } });
}

/**
 * A job asking the run to cancel (a parent that ended, see cancelChildren) is taken off the
 * queue and carried out as a worker would; other jobs are left, driveRun needs none of them.
 */
async function takeCancelJob(db: Db, runId: string): Promise<boolean> {
  // A database whose runs were written directly (replay fixtures) may have no queue yet.
  const queue = await sql<{ exists: boolean }>`SELECT to_regclass('pgboss.job') IS NOT NULL AS exists`.execute(db);
  if (!queue.rows[0]?.exists) return false;
  const taken =
    await sql`DELETE FROM pgboss.job WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND data->>'runId' = ${runId} AND (data->>'cancel')::boolean RETURNING id`.execute(
      db,
    );
  return taken.rows.length > 0;
}

/**
 * Advances a run the way a worker does (claim, interpret, release) until it is terminal or
 * waits on something that is not a due timer.
 */
export async function driveRun({
  db,
  runId,
  maxPasses = 50,
}: {
  db: Db;
  runId: string;
  maxPasses?: number;
}): Promise<TRunStatus> {
  const workerId = `test-worker-${randomUUID().slice(0, 8)}`;
  const leases = new LeaseKeeper(db, workerId, () => {});
  let status: TRunStatus = 'QUEUED';
  for (let pass = 0; pass < maxPasses; pass++) {
    await advanceRun({ db, runId, workerId, leases, cancel: await takeCancelJob(db, runId) });
    const run = await db.selectFrom('runs').select(['status']).where('id', '=', runId).executeTakeFirstOrThrow();
    status = run.status;
    if (isTerminal(status) || status === 'PAUSED') return status;
    const due = await db
      .selectFrom('run_waits')
      .select('resume_at')
      .where('run_id', '=', runId)
      .where('status', '=', 'open')
      .orderBy('resume_at')
      .executeTakeFirst();
    if (status === 'WAITING' && !due?.resume_at) return status;
    if (due?.resume_at) await new Promise((r) => setTimeout(r, Math.max(0, due.resume_at!.getTime() - Date.now()) + 5));
  }
  return status;
}
