import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Db } from '@/server/db/database';
import type { RunsTable } from '@/server/db/runtime-schema';

/** A lease lasts this long unless renewed; a dead worker's runs are taken over after it. */
export const LEASE_MS = 10_000;
/** How often a worker renews its leases (and reads pause/cancel requests). */
export const HEARTBEAT_MS = 2_000;

/** A completed action invocation read from the ledger, keyed by `action@version\nkey`. */
export type TLedger = Map<string, unknown>;
export const ledgerKey = (action: string, version: number, key: string): string => `${action}@${version}\n${key}`;

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

type TClaimRow = Selectable<RunsTable> & { recovered: boolean; ledger: Array<{ action: string; version: number; key: string; output: unknown }> };

/**
 * Takes a run for this worker, if nobody holds a live lease on it and it is runnable. The
 * fence goes up with every claim: writes from an earlier holder name an older fence and
 * are rejected (RunWriter). One statement claims, returns the row and reads the run's ledger.
 */
export async function claimRun({ db, runId, workerId }: { db: Db; runId: string; workerId: string }): Promise<TClaimedRun | null> {
  const result = await sql<TClaimRow>`
    UPDATE runs r SET
      lease_owner = ${workerId},
      lease_expires_at = now() + make_interval(secs => ${LEASE_MS / 1000}),
      fence = r.fence + 1,
      recoveries = r.recoveries + (CASE WHEN r.lease_owner IS NOT NULL THEN 1 ELSE 0 END),
      wake_requested = false,
      updated_at = now()
    FROM (SELECT id, lease_owner IS NOT NULL AS recovered FROM runs WHERE id = ${runId} FOR UPDATE) prev
    WHERE r.id = prev.id
      -- A WAITING run is claimed only when one of its timers is due (a delay, a backoff, a timeout),
      -- or to be canceled.
      AND (r.status IN ('QUEUED', 'RUNNING')
           OR (r.status = 'WAITING' AND EXISTS (SELECT 1 FROM run_waits w WHERE w.run_id = r.id AND w.status = 'open' AND w.resume_at <= now()))
           -- A cancel requested by a parent that ended reaches a waiting or paused child this way.
           OR (r.status IN ('WAITING', 'PAUSED') AND r.cancel_requested))
      AND (r.lease_owner IS NULL OR r.lease_expires_at < now())
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
      .set({ status: 'FAILED', error: JSON.stringify({ code: 'WORKER_LOST', message: 'The worker running this step stopped before it finished; the step runs again.' }), completed_at: sql`now()` })
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

export type TLeaseControls = { pauseRequested: boolean; cancelRequested: boolean; lost: boolean; abort: AbortController };

/**
 * Renews every lease this worker holds in one statement, every HEARTBEAT_MS. A run whose
 * lease is gone (another worker took it after a stall) is aborted at once; pause and cancel
 * requests made through the API reach the running interpreter the same way.
 */
export class LeaseKeeper {
  private readonly held = new Map<string, { fence: string; controls: TLeaseControls }>();
  private timer: NodeJS.Timeout | null = null;
  private renewing = false;
  private renewAgain = false;

  constructor(
    private readonly db: Db,
    private readonly workerId: string,
    private readonly log: (line: string) => void,
  ) {}

  hold(run: { id: string; fence: string; pauseRequested?: boolean; cancelRequested?: boolean }): TLeaseControls {
    const controls: TLeaseControls = { pauseRequested: run.pauseRequested ?? false, cancelRequested: run.cancelRequested ?? false, lost: false, abort: new AbortController() };
    // A cancel asked for while no worker held the run's lease (or while the last one was letting go) aborts at once.
    if (controls.cancelRequested) controls.abort.abort(new Error('canceled'));
    this.held.set(run.id, { fence: run.fence, controls });
    this.timer ??= setInterval(() => void this.renew(), HEARTBEAT_MS);
    return controls;
  }

  drop(runId: string): void {
    this.held.delete(runId);
    if (this.held.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  get count(): number {
    return this.held.size;
  }

  /**
   * Reads pause/cancel requests now rather than at the next beat: called when a request for a
   * run this worker holds is announced (RunControlListener), or with no id after missed notices.
   * Renewals in quick succession coalesce into one more.
   */
  refresh(runId?: string): void {
    if (runId !== undefined && !this.held.has(runId)) return;
    void this.renew();
  }

  private async renew(): Promise<void> {
    if (this.renewing) {
      this.renewAgain = true;
      return;
    }
    this.renewing = true;
    try {
      await this.renewHeld();
    } finally {
      this.renewing = false;
    }
    if (this.renewAgain) {
      this.renewAgain = false;
      await this.renew();
    }
  }

  private async renewHeld(): Promise<void> {
    const entries = [...this.held.entries()];
    if (entries.length === 0) return;
    try {
      const rows = await sql<{ id: string; pause_requested: boolean; cancel_requested: boolean }>`
        UPDATE runs SET lease_expires_at = now() + make_interval(secs => ${LEASE_MS / 1000})
        WHERE lease_owner = ${this.workerId}
          AND (id, fence) IN (SELECT * FROM unnest(${entries.map(([id]) => id)}::uuid[], ${entries.map(([, held]) => held.fence)}::bigint[]))
        RETURNING id, pause_requested, cancel_requested`.execute(this.db);
      const alive = new Map(rows.rows.map((row) => [row.id, row]));
      for (const [id, held] of entries) {
        const row = alive.get(id);
        if (!row) {
          held.controls.lost = true;
          held.controls.abort.abort(new Error('lease lost'));
          continue;
        }
        held.controls.pauseRequested = row.pause_requested;
        if (row.cancel_requested && !held.controls.cancelRequested) {
          held.controls.cancelRequested = true;
          held.controls.abort.abort(new Error('canceled'));
        }
      }
    } catch (error) {
      // The database being briefly away is not a lost lease; the next beat tries again.
      this.log(`lease renewal failed: ${(error as Error).message}`);
    }
  }
}
