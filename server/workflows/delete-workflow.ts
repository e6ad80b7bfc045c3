import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { ZWorkflowKey } from '@/model/definition/version-document';

export const ZDeleteWorkflow = z.object({ key: ZWorkflowKey });
export type TDeleteWorkflow = z.infer<typeof ZDeleteWorkflow>;

/** Deletes a workflow and all its versions (they cascade). */
export async function deleteWorkflow({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TDeleteWorkflow;
}): Promise<void> {
  assertAllowed(ctx, 'workflow.write');
  await db.transaction().execute(async (tx) => {
    const row = await tx
      .deleteFrom('workflows')
      .where('tenant_id', '=', ctx.tenantId)
      .where('key', '=', input.key)
      .returning('name')
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `No workflow with key "${input.key}".`);
    await recordAudit({
      db: tx,
      ctx,
      entry: { action: 'workflow.deleted', targetType: 'workflow', targetId: input.key, data: { name: row.name } },
    });
  });
}
