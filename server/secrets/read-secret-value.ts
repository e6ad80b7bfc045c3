import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { openSecret } from '@/server/secrets/secret-cipher';

/**
 * The clear value of a tenant secret, for the runtime's action calls only. Callers must
 * never store, log or return it; nothing in app/ may import this module.
 */
export async function readSecretValue({
  db,
  tenantId,
  name,
}: {
  db: DbOrTx;
  tenantId: string;
  name: string;
}): Promise<string> {
  const row = await db
    .selectFrom('secrets')
    .select(['ciphertext', 'iv', 'auth_tag'])
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `No secret named "${name}" in this tenant.`);
  return openSecret({ tenantId, name, sealed: { ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag } });
}
