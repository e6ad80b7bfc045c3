import 'server-only';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { toSecretRecord, type TSecretRecord } from '@/server/secrets/secret-record';

/** The tenant's secrets by name, with metadata only. */
export async function listSecrets({ db, ctx }: { db: Db; ctx: TAuthContext }): Promise<TSecretRecord[]> {
  const rows = await db
    .selectFrom('secrets')
    .select(['name', 'description', 'created_at', 'updated_at'])
    .where('tenant_id', '=', ctx.tenantId)
    .orderBy('name')
    .execute();
  return rows.map(toSecretRecord);
}
