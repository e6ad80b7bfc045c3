import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { AppError } from '@/model/errors';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { selectWorkflowRows, toWorkflowRecord, type TWorkflowRecord } from '@/server/workflows/workflow-record';

export const ZGetWorkflow = z.object({ key: ZWorkflowKey });
export type TGetWorkflow = z.infer<typeof ZGetWorkflow>;

/** One workflow of the caller's tenant with its latest and draft version numbers. */
export async function getWorkflow({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TGetWorkflow;
}): Promise<TWorkflowRecord> {
  assertAllowed(ctx, 'workflow.read');
  const row = await selectWorkflowRows(db, ctx.tenantId).where('w.key', '=', input.key).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `No workflow with key "${input.key}".`);
  return toWorkflowRecord(row);
}
