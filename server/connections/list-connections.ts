import 'server-only';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import type { TConnectionType } from '@/model/connections/connection-config';
import { toConnectionRecord, type TConnectionRecord } from '@/server/connections/connection-record';
import { listConnectionUses } from '@/server/connections/list-connection-uses';

/** The tenant's connections by name (optionally of one type), without secret values, each with the workflows using it. */
export async function listConnections({
  db,
  ctx,
  type,
}: {
  db: Db;
  ctx: TAuthContext;
  type?: TConnectionType;
}): Promise<TConnectionRecord[]> {
  let query = db
    .selectFrom('connections')
    .select(['name', 'type', 'description', 'config', 'secret_fields', 'created_at', 'updated_at'])
    .where('tenant_id', '=', ctx.tenantId)
    .orderBy('name');
  if (type) query = query.where('type', '=', type);
  const [rows, uses] = await Promise.all([query.execute(), listConnectionUses({ db, tenantId: ctx.tenantId })]);
  return rows.map((row) => toConnectionRecord(row, uses.get(row.name) ?? []));
}
