import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { ZRunStatus } from '@/model/run-status';
import { findRunRow, toRunRecord, ZRunId, ZRunRecord } from '@/server/runs/run-record';
import { getRunUsage, ZRunUsage } from '@/server/llm/llm-usage';

export const ZGetRun = z.object({ id: ZRunId });
export type TGetRun = z.infer<typeof ZGetRun>;

export const ZRunDetail = ZRunRecord.extend({
  children: z.array(z.object({ id: z.string(), status: ZRunStatus })),
  /** LLM tokens and cost of the run and its children (SPEC §11). */
  usage: ZRunUsage,
});
export type TRunDetail = z.infer<typeof ZRunDetail>;

/** One run with the child runs its callWorkflow steps started, oldest first. */
export async function getRun({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TGetRun;
}): Promise<TRunDetail> {
  assertAllowed(ctx, 'run.read');
  const row = await findRunRow(db, ctx.tenantId, input.id);
  const children = await db
    .selectFrom('runs')
    .select(['id', 'status'])
    .where('tenant_id', '=', ctx.tenantId)
    .where('parent_run_id', '=', row.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const usage = await getRunUsage({ db, tenantId: ctx.tenantId, runId: row.id });
  return { ...toRunRecord(row), children, usage };
}
