import 'server-only';
import { sql } from 'kysely';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import type { TRunStatus } from '@/model/run-status';

/** A RUNNING run unchanged this long is listed as making no progress (PIPEWRIGHT_STUCK_AFTER_MS). */
export function stuckAfterMs(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.PIPEWRIGHT_STUCK_AFTER_MS ?? 15 * 60_000);
  return Number.isFinite(value) && value >= 1_000 ? value : 15 * 60_000;
}
/** A wait this long past its due time has not been acted on (SPEC §7.1 promises 2 s plus a free slot). */
const OVERDUE_AFTER_S = 60;
const LIMIT = 10;

export type TStuckRun = {
  runId: string;
  workflowKey: string;
  version: number;
  status: TRunStatus;
  /** Since when: the last change (no progress), the due time (overdue wait), the creation (queued). */
  since: string;
  detail: string;
};
export type TStuckWork = {
  stuckAfterMs: number;
  noProgress: TStuckRun[];
  overdueWaits: TStuckRun[];
  oldestQueued: TStuckRun | null;
};

/**
 * What needs an operator on the Overview: runs RUNNING without a change for longer than the
 * threshold, waits past their due time by over a minute, and the oldest run still QUEUED.
 * Each list is a few rows read through indexes on (tenant, status) or the open-timer index.
 */
export async function getStuckWork({ db, ctx }: { db: DbOrTx; ctx: TAuthContext }): Promise<TStuckWork> {
  assertAllowed(ctx, 'run.read');
  const threshold = stuckAfterMs();
  // A commit under a held lease moves progressed_at, not updated_at (so it can be a HOT update):
  // the last change is the later of the two (greatest() skips a NULL).
  const lastChange = sql<Date>`greatest(updated_at, progressed_at)`;
  // Three independent reads, sent at once: in sequence they were three round trips of the page's render.
  const [noProgress, overdue, queued] = await Promise.all([
    db
      .selectFrom('runs')
      .select(['id', 'workflow_key', 'version', 'status', lastChange.as('last_change'), 'lease_owner', 'recoveries'])
      .where('tenant_id', '=', ctx.tenantId)
      .where('status', '=', 'RUNNING')
      .where(lastChange, '<', sql<Date>`now() - make_interval(secs => ${threshold / 1000})`)
      .orderBy(lastChange)
      .limit(LIMIT)
      .execute(),
    sql<{
      id: string;
      workflow_key: string;
      version: number;
      status: TRunStatus;
      kind: string;
      step_path: string;
      resume_at: Date;
    }>`
    SELECT r.id, r.workflow_key, r.version, r.status, w.kind, w.step_path, w.resume_at
      FROM run_waits w JOIN runs r ON r.id = w.run_id
     WHERE w.status = 'open' AND w.resume_at IS NOT NULL AND w.resume_at < now() - make_interval(secs => ${OVERDUE_AFTER_S})
       AND w.tenant_id = ${ctx.tenantId} AND r.tenant_id = ${ctx.tenantId}
     ORDER BY w.resume_at LIMIT ${LIMIT}`.execute(db),
    db
      .selectFrom('runs')
      .select(['id', 'workflow_key', 'version', 'status', 'created_at', 'fence'])
      .where('tenant_id', '=', ctx.tenantId)
      .where('status', '=', 'QUEUED')
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst(),
  ]);
  return {
    stuckAfterMs: threshold,
    noProgress: noProgress.map((row) => ({
      runId: row.id,
      workflowKey: row.workflow_key,
      version: row.version,
      status: row.status,
      since: row.last_change.toISOString(),
      detail: row.lease_owner
        ? `held by ${row.lease_owner}${row.recoveries > 0 ? `, ${row.recoveries} recoveries` : ''}`
        : 'no worker holds it',
    })),
    overdueWaits: overdue.rows.map((row) => ({
      runId: row.id,
      workflowKey: row.workflow_key,
      version: row.version,
      status: row.status,
      since: row.resume_at.toISOString(),
      detail: `${row.kind} wait at ${row.step_path}`,
    })),
    oldestQueued: queued
      ? {
          runId: queued.id,
          workflowKey: queued.workflow_key,
          version: queued.version,
          status: queued.status,
          since: queued.created_at.toISOString(),
          detail: Number(queued.fence) > 0 ? 'held by a limit' : 'waiting for a worker',
        }
      : null,
  };
}
