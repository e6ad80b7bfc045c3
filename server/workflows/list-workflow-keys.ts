import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';

/**
 * The keys of the tenant's workflows, in order, for pickers (the runs list's workflow filter).
 * Not `listWorkflows`: that one counts each workflow's runs of the week, which with 100,000 runs
 * costs more than the runs page it would serve.
 */
export async function listWorkflowKeys({
  db,
  ctx,
  limit = 500,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  limit?: number;
}): Promise<string[]> {
  assertAllowed(ctx, 'workflow.read');
  const rows = await db
    .selectFrom('workflows')
    .select('key')
    .where('tenant_id', '=', ctx.tenantId)
    .orderBy('key')
    .limit(limit)
    .execute();
  return rows.map((row) => row.key);
}
