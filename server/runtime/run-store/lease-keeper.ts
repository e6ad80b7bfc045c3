import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

/**
 * A lease lasts this long unless renewed; a dead worker's runs are taken over after it.
 * `PIPEWRIGHT_LEASE_MS` (1 s to 10 min) shortens it where a stalled worker must be found
 * sooner, and lets the chaos suite stop a worker past a real lease in seconds.
 */
export const LEASE_MS = leaseMsFromEnv(process.env.PIPEWRIGHT_LEASE_MS);
/** How often a worker renews its leases (and reads pause/cancel requests): five times a lease. */
export const HEARTBEAT_MS = Math.max(200, Math.round(LEASE_MS / 5));

function leaseMsFromEnv(raw: string | undefined): number {
  const value = Number(raw);
  return raw && Number.isInteger(value) && value >= 1_000 && value <= 600_000 ? value : 10_000;
}

export type TLeaseControls = {
  pauseRequested: boolean;
  cancelRequested: boolean;
  lost: boolean;
  abort: AbortController;
  /**
   * Whether the lease is certainly still ours by this process's own clock: the database's
   * expiry is at least LEASE_MS after the last claim or renewal we sent. Checked right before
   * anything leaves the process: a worker frozen past its lease (SIGSTOP, a long GC pause)
   * must not call out after waking, since an operator may have canceled the run meanwhile.
   */
  leaseValid: () => boolean;
};

/**
 * Renews every lease this worker holds in one statement, every HEARTBEAT_MS. A run whose
 * lease is gone (another worker took it after a stall) is aborted at once; pause and cancel
 * requests made through the API reach the running interpreter the same way.
 */
export class LeaseKeeper {
  private readonly held = new Map<string, { fence: string; controls: TLeaseControls }>();
  private readonly validity = new Map<string, (renewalSentAt: number) => void>();
  private timer: NodeJS.Timeout | null = null;
  private renewing = false;
  private renewAgain = false;

  constructor(
    private readonly db: Db,
    private readonly workerId: string,
    private readonly log: (line: string) => void,
  ) {}

  /** `claimSentAt`: performance.now() when the claim was sent; the lease is ours until LEASE_MS after it. */
  hold(
    run: { id: string; fence: string; pauseRequested?: boolean; cancelRequested?: boolean },
    claimSentAt = performance.now(),
  ): TLeaseControls {
    let validUntil = claimSentAt + LEASE_MS;
    const controls: TLeaseControls = {
      pauseRequested: run.pauseRequested ?? false,
      cancelRequested: run.cancelRequested ?? false,
      lost: false,
      abort: new AbortController(),
      leaseValid: () => !controls.lost && performance.now() < validUntil,
    };
    this.validity.set(run.id, (sentAt) => (validUntil = Math.max(validUntil, sentAt + LEASE_MS)));
    // A cancel asked for while no worker held the run's lease (or while the last one was letting go) aborts at once.
    if (controls.cancelRequested) controls.abort.abort(new Error('canceled'));
    this.held.set(run.id, { fence: run.fence, controls });
    this.timer ??= setInterval(() => void this.renew(), HEARTBEAT_MS);
    return controls;
  }

  drop(runId: string): void {
    this.held.delete(runId);
    this.validity.delete(runId);
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
    const sentAt = performance.now();
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
        this.validity.get(id)?.(sentAt);
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
