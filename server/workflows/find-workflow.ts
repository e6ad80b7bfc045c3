import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import { AppError } from '@/model/errors';

export type TWorkflowRef = { id: string; key: string; name: string };

/**
 * The caller's workflow with this key, or NOT_FOUND (another tenant's key is "not found"
 * too). With `lock`, the row is locked for the transaction: every version write locks its
 * workflow first, so version numbering and the one-draft rule are decided one at a time.
 */
export async function findWorkflow({
  db,
  tenantId,
  key,
  lock = false,
}: {
  db: DbOrTx;
  tenantId: string;
  key: string;
  lock?: boolean;
}): Promise<TWorkflowRef> {
  let query = db
    .selectFrom('workflows')
    .select(['id', 'key', 'name'])
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `No workflow with key "${key}".`);
  return row;
}
