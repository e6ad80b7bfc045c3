import 'server-only';
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Db } from '@/server/db/database';
import { NAMED_STATEMENT_MARK } from '@/server/db/named-statements';
import type { RunsTable } from '@/server/db/runtime-schema';
import { LEASE_MS } from '@/server/runtime/run-store/lease-keeper';
import { ledgerKey, type TLedger } from '@/server/runtime/run-store/ledger';
import { runnable } from '@/server/runtime/run-store/runnable';
import { takeAnnouncedJobCte } from '@/server/runtime/queue/run-queue';

export type TClaimedRun = {
  id: string;
  tenantId: string;
  fence: string;
  status: string;
  recoveries: number;
  /** The previous holder died with the lease (it expired instead of being released). */
  recovered: boolean;
  /** Requests made before this claim: they apply from the first step, not from the first renewal. */
  pauseRequested: boolean;
  cancelRequested: boolean;
  /** The whole row as the claim left it, so the worker needs no second read. */
  row: Selectable<RunsTable>;
  /**
   * Every completed invocation whose key is one of this run's default keys (`runId:stepPath`),
   * whoever wrote it: the interpreter answers those lookups from here, not one query per step.
   */
  ledger: TLedger;
};

type TClaimRow = Selectable<RunsTable> & {
  recovered: boolean;
  ledger: Array<{ action: string; version: number; key: string; output: unknown }>;
};

/**
 * Takes a run for this worker, if nobody holds a live lease on it and it is runnable. The
 * fence goes up with every claim: writes from an earlier holder name an older fence and
 * are rejected (commitBatch). One statement claims, returns the row and reads the run's ledger.
 *
 * A job that finds the run held by a live worker does not just end: it leaves
 * `wake_requested`, so the holder's release keeps the run RUNNING and passes over it again.
 * Whatever the job came for (a timer that came due mid-pass, a slot freed for a held run, a
 * cancel) is then seen by the holder instead of being dropped with the job.
 */
export async function claimRun({
  db,
  runId,
  workerId,
  jobId,
  reclaimFence,
}: {
  db: Db;
  runId: string;
  workerId: string;
  /** A job named by a notice, not fetched: taken off the queue by this statement, or nothing is claimed. */
  jobId?: string;
  /**
   * The fence of this worker's pass whose release left the run RUNNING and kept its lease
   * (releasedLease): that lease is this worker's own hand-over to itself, not a live holder
   * to bounce off, nor a dead one to recover from. Another pass in the same process does not
   * know the fence, and still bounces.
   */
  reclaimFence?: string;
}): Promise<TClaimedRun | null> {
  // A job named by a notice (RUN_READY_CHANNEL) is taken off the queue by the claim itself:
  // nothing is claimed unless this statement took it, so pg-boss's fetch and this worker never
  // both act on one job.
  const taking = jobId ? sql`${await takeAnnouncedJobCte(jobId)},` : sql``;
  const onlyIfTaken = jobId ? sql`AND EXISTS (SELECT 1 FROM taken_job)` : sql``;
  const ownHandOver = (alias: string) =>
    reclaimFence === undefined
      ? sql<boolean>`false`
      : sql<boolean>`(${sql.ref(`${alias}.lease_owner`)} = ${workerId} AND ${sql.ref(`${alias}.fence`)} = ${reclaimFence}::bigint)`;
  // Four texts at most (with or without a job to take, with or without a hand-over fence; the
  // values are parameters): each is prepared once per connection, not parsed and planned per claim.
  const result = await sql<TClaimRow>`${sql.raw(NAMED_STATEMENT_MARK)}
    WITH ${taking} prev AS (
      SELECT id, lease_owner IS NOT NULL AND NOT ${ownHandOver('runs')} AS recovered FROM runs WHERE id = ${runId} ${onlyIfTaken} FOR UPDATE),
    bounced AS (
      UPDATE runs r SET wake_requested = true
        FROM prev
       WHERE r.id = prev.id AND r.status IN ('QUEUED', 'RUNNING', 'WAITING') AND r.lease_owner IS NOT NULL AND r.lease_expires_at >= now()
         AND NOT ${ownHandOver('r')}
      RETURNING r.id)
    UPDATE runs r SET
      lease_owner = ${workerId},
      lease_expires_at = now() + make_interval(secs => ${LEASE_MS / 1000}),
      fence = r.fence + 1,
      recoveries = r.recoveries + (CASE WHEN prev.recovered THEN 1 ELSE 0 END),
      wake_requested = false,
      updated_at = now()
    FROM prev
    WHERE r.id = prev.id
      AND ${runnable('r')}
      AND (r.lease_owner IS NULL OR r.lease_expires_at < now() OR ${ownHandOver('r')})
    RETURNING r.*, prev.recovered,
      (SELECT coalesce(json_agg(json_build_object('action', a.action, 'version', a.version, 'key', a.idempotency_key, 'output', a.output)), '[]'::json)
         FROM action_invocations a
        WHERE a.tenant_id = r.tenant_id
          -- keys starting with "<runId>:", as a range the text_pattern_ops index serves
          AND a.idempotency_key ~>=~ ${`${runId}:`} AND a.idempotency_key ~<~ ${`${runId};`}) AS ledger`.execute(db);
  const claimed = result.rows[0];
  if (!claimed) return null;
  if (claimed.recovered) {
    // The dead holder's step attempts never finished: say so, so the history is honest.
    await db
      .updateTable('run_steps')
      .set({
        status: 'FAILED',
        error: JSON.stringify({
          code: 'WORKER_LOST',
          message: 'The worker running this step stopped before it finished; the step runs again.',
        }),
        completed_at: sql`now()`,
      })
      .where('run_id', '=', runId)
      .where('status', '=', 'RUNNING')
      .execute();
  }
  const { recovered, ledger, ...row } = claimed;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    fence: row.fence,
    status: row.status,
    recoveries: row.recoveries,
    recovered,
    pauseRequested: row.pause_requested,
    cancelRequested: row.cancel_requested,
    row,
    ledger: new Map(ledger.map((entry) => [ledgerKey(entry.action, entry.version, entry.key), entry.output])),
  };
}
