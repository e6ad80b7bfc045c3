import 'server-only';
import type { Tx } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { lockRunRow } from '@/server/runtime/run-store/lock-run-row';

/**
 * Locks a task of the tenant for a change, in the runtime's lock order (its run's row, then the
 * task: lockRunRow), so answers, claims and reassignments of one task happen one after another.
 */
export async function lockTask(tx: Tx, { tenantId, id }: { tenantId: string; id: string }) {
  const owner = await tx
    .selectFrom('tasks')
    .select('run_id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (owner) await lockRunRow(tx, owner.run_id);
  const task = owner
    ? await tx
        .selectFrom('tasks')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!task) throw new AppError('NOT_FOUND', `No task with id ${id}.`);
  return task;
}

/** 409 unless the task is still open. */
export function assertOpen(task: { status: string }, doing: string): void {
  if (task.status !== 'open') throw new AppError('CONFLICT', `This task is ${task.status}; it cannot be ${doing}.`);
}
