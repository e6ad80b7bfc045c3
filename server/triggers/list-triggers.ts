import 'server-only';
import { z } from 'zod';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import type { DbOrTx } from '@/server/db/database';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { findWorkflow } from '@/server/workflows/find-workflow';
import { selectTriggerRows, toTriggerRecord, type TTriggerRecord } from '@/server/triggers/trigger-record';

export const ZListTriggers = z.object({ key: ZWorkflowKey });
export type TListTriggers = z.infer<typeof ZListTriggers>;

/** A workflow's triggers, oldest first (a workflow has a handful, so there is no paging). */
export async function listTriggers({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TListTriggers;
}): Promise<{ items: TTriggerRecord[]; nextCursor: null }> {
  assertAllowed(ctx, 'workflow.read');
  const { key } = ZListTriggers.parse(input);
  const workflow = await findWorkflow({ db, tenantId: ctx.tenantId, key });
  const rows = await selectTriggerRows(db, ctx.tenantId)
    .where('t.workflow_id', '=', workflow.id)
    .orderBy('t.created_at')
    .orderBy('t.id')
    .limit(500)
    .execute();
  const now = new Date();
  return { items: rows.map((row) => toTriggerRecord(row, ctx, now)), nextCursor: null };
}
