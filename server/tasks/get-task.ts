import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { AppError } from '@/model/errors';
import { selectTaskRows, toTaskRecord, ZTaskId, type TTaskRecord } from '@/server/tasks/task-record';

export const ZGetTask = z.object({ id: ZTaskId });

/** One task of the tenant (another tenant's task is not found). */
export async function getTask({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: z.input<typeof ZGetTask>;
}): Promise<TTaskRecord> {
  assertAllowed(ctx, 'run.read');
  const parsed = ZGetTask.safeParse(input);
  const row = parsed.success
    ? await selectTaskRows(db, ctx.tenantId).where('tasks.id', '=', parsed.data.id).executeTakeFirst()
    : undefined;
  if (!row) throw new AppError('NOT_FOUND', `No task with id ${input.id}.`);
  return toTaskRecord(row);
}
