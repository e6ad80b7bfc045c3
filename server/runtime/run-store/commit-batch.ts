import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import type { TRunStatus } from '@/model/run-status';
import { advanceJobCtes } from '@/server/runtime/queue/run-queue';
import { releasedLease } from '@/server/runtime/run-store/released-lease';
import { faultPoint } from '@/server/runtime/fault-points';
import { takeEventMatchLock } from '@/server/runtime/run-store/event-match-lock';
import { isStalePreparedStatement } from '@/server/db/named-statements';
import {
  RUN_EVENTS_CHANNEL,
  commitStatement,
  releasedStatus,
  type TBatch,
} from '@/server/runtime/run-store/commit-statement';

/** What a commit found: null when the fence no longer matched (the lease was lost). */
export type TCommitResult = { status: TRunStatus } | null;

/**
 * Commits a batch. Without extra writes (the common case: pure steps, a run finishing that
 * frees no slot) it is one statement, whose data-modifying CTEs all hang off the fenced UPDATE
 * of the run, so a worker that lost the lease writes nothing. With extras (waits, tasks, jobs,
 * the hand-off of a freed slot), it is one transaction: the same statement, the extras, then
 * the release, which must see what the extras did (a wait resolved as it was created).
 */
export async function commitBatch(db: Db, batch: TBatch): Promise<TCommitResult> {
  // A finish that frees a slot under maxConcurrentRuns hands it on in the same statement (a CTE
  // sends the held run's job): sent after the commit, the job was lost with a worker that died
  // in between, and the held run waited for the reaper while the slot stood free (SPEC §7.5).
  const admitJobs = batch.admitNextOf ? await advanceJobCtes() : null;
  if (batch.extras.length === 0) {
    const row = await db.executeQuery(
      commitStatement(batch, { releaseInline: batch.releasing, notify: true, admitJobs }),
    );
    return row.rows[0] ? { status: row.rows[0].status } : null;
  }
  try {
    return await commitInTransaction(db, batch, admitJobs);
  } catch (error) {
    // The transaction rolled back whole: once its prepared statements are prepared again (a
    // migration changed what they return), the same writes are tried once more.
    if (!isStalePreparedStatement(error)) throw error;
    return commitInTransaction(db, batch, admitJobs);
  }
}

async function commitInTransaction(
  db: Db,
  batch: TBatch,
  admitJobs: ((rows: string) => string) | null,
): Promise<TCommitResult> {
  return db.transaction().execute(async (tx) => {
    // Before the run row, in one order: deliveries take the same lock before they lock runs.
    for (const key of [...new Set(batch.eventLocks)].sort()) await takeEventMatchLock(tx, key);
    const row = await tx.executeQuery(commitStatement(batch, { releaseInline: false, notify: false, admitJobs }));
    const main = row.rows[0];
    if (!main) return null;
    await faultPoint('commit.afterRunLocked', { runId: batch.run.id });
    for (const extra of batch.extras) await extra(tx);
    let status = main.status;
    if (batch.releasing) {
      // After the extras: a wait created in this batch can be resolved by it (an event.wait
      // whose lookback finds a stored event sets wake_requested), and that wake-up must not be
      // lost. The row lock taken by the first statement is held throughout, so a wake-up from
      // another transaction lands either before this check or after the commit, when the run
      // is WAITING and wakeRun handles it.
      const released = await tx
        .updateTable('runs')
        .set({
          status: releasedStatus(batch.patch.status, 'runs'),
          wake_requested: false,
          lease_owner: releasedLease(batch.patch.status, 'lease_owner', 'runs'),
          lease_expires_at: releasedLease(batch.patch.status, 'lease_expires_at', 'runs'),
        })
        .where('id', '=', batch.run.id)
        .returning('status')
        .executeTakeFirstOrThrow();
      status = released.status;
    }
    await faultPoint('commit.beforeCommit', { runId: batch.run.id });
    // Live viewers (the SSE stream) and sync starts wait on this; it is sent at commit.
    if (batch.events.length)
      await sql`SELECT pg_notify(${RUN_EVENTS_CHANNEL}, ${`${batch.run.id}:${main.event_seq}:${status}`})`.execute(tx);
    return { status };
  });
}
