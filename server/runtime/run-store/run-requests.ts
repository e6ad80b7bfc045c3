import 'server-only';
import type { Db, Tx } from '@/server/db/database';
import { notifyRunControl } from '@/server/runtime/run-control-listener';

/**
 * A parent that ended asks its child to cancel (the job sent by cancelChildren): the flag is
 * set here, in the worker, in a statement of its own, so that the parent's transaction never
 * locks a child's row. A child that already ended is left alone; one that a worker holds is
 * told at once, as an operator's cancel would.
 */
export async function requestCancelFromParent({ db, runId }: { db: Db; runId: string }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const pending = await tx
      .updateTable('runs')
      .set({ cancel_requested: true, wake_requested: true })
      .where('id', '=', runId)
      .where('status', 'in', ['QUEUED', 'RUNNING', 'WAITING', 'PAUSED'])
      .returning('id')
      .execute();
    await notifyRunControl(
      tx,
      pending.map((row) => row.id),
    );
  });
}

/**
 * An operator asks the worker holding a run to cancel it: the flag, announced to that worker
 * (RUN_CONTROL_CHANNEL, with the lease renewal as the backstop), which aborts the in-flight
 * action and records the cancel itself. `wake_requested`: a worker that is just leaving the
 * run WAITING keeps it RUNNING and claims it again, and the new claim sees the flag at once.
 */
export async function requestCancel(tx: Tx, runId: string): Promise<void> {
  await tx.updateTable('runs').set({ cancel_requested: true, wake_requested: true }).where('id', '=', runId).execute();
  await notifyRunControl(tx, [runId]);
}

/** An operator asks the worker holding a run to pause it; the worker obeys between steps. */
export async function requestPause(tx: Tx, runId: string): Promise<void> {
  await tx.updateTable('runs').set({ pause_requested: true }).where('id', '=', runId).execute();
  await notifyRunControl(tx, [runId]);
}
