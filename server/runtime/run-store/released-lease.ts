import 'server-only';
import { sql, type RawBuilder } from 'kysely';
import type { TRunStatus } from '@/model/run-status';
import { LEASE_MS } from '@/server/runtime/run-store/lease-keeper';

/**
 * Over the runs row aliased `runsAlias` as it was before a release: the run must be passed
 * over again at once instead of left WAITING, because a wake-up came while it was suspending
 * (`wake_requested`) or one of its waits is already due (a delay that came due beside a long
 * call in a parallel block: its job found the lease live and ended). A pause asked for meanwhile
 * wins over it (releasedStatus in commit-batch.ts).
 */
export function wokenOnRelease(runsAlias: string): RawBuilder<boolean> {
  return sql<boolean>`(wake_requested OR EXISTS (SELECT 1 FROM run_waits due WHERE due.run_id = ${sql.ref(`${runsAlias}.id`)} AND due.status = 'open' AND due.resume_at <= now()))`;
}

type TLeaseColumns = { lease_owner: string | null; lease_expires_at: Date | null };

/**
 * What a release leaves in `lease_owner` / `lease_expires_at`: nothing, unless the release
 * leaves the run RUNNING for the same worker to carry on (woken, no pause asked): then the
 * lease stays with that worker, renewed for LEASE_MS, until it claims the run again (claimRun's `reclaimFence`).
 * Cleared, such a run was RUNNING with no lease and no job between the release and the
 * re-claim, and a worker that died there left it to the reaper's 2-minute look (chaos saw
 * "RUNNING, held by nobody, no job"); kept, the lease runs out within LEASE_MS and the
 * reaper's expired-lease look sends it a job.
 */
export function releasedLease<C extends keyof TLeaseColumns>(
  target: TRunStatus | undefined,
  column: C,
  runsAlias: string,
): RawBuilder<TLeaseColumns[C]> {
  if ((target ?? 'WAITING') !== 'WAITING') return sql<TLeaseColumns[C]>`NULL`;
  // A full lease from now: the renewals stopped with the pass, and a lease about to run out
  // (chaos runs with 2 s leases on a loaded machine) would let another worker take the run
  // from a living one and count a recovery it never had.
  const kept = column === 'lease_owner' ? sql.ref(column) : sql`now() + make_interval(secs => ${LEASE_MS / 1000})`;
  return sql<TLeaseColumns[C]>`CASE WHEN NOT pause_requested AND ${wokenOnRelease(runsAlias)} THEN ${kept} END`;
}
