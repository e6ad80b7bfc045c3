import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/server/errors';
import { sealSecret } from '@/server/secrets/secret-cipher';
import { toSecretRecord, ZSecretName, type TSecretRecord } from '@/server/secrets/secret-record';

export const ZPutSecret = z.object({
  name: ZSecretName,
  value: z.string().min(1, 'the value is empty').max(64 * 1024, 'at most 64 KiB'),
  description: z.string().max(500).optional(),
});
export type TPutSecret = z.infer<typeof ZPutSecret>;

/** Creates or replaces a tenant secret. The value is sealed before it reaches the database. */
export async function putSecret({ db, ctx, input }: { db: Db; ctx: TAuthContext; input: TPutSecret }): Promise<{ record: TSecretRecord; created: boolean }> {
  const sealed = sealSecret({ tenantId: ctx.tenantId, name: input.name, value: input.value });
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('secrets')
      .values({
        tenant_id: ctx.tenantId,
        name: input.name,
        description: input.description ?? '',
        ciphertext: sealed.ciphertext,
        iv: sealed.iv,
        auth_tag: sealed.authTag,
      })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'name']).doUpdateSet({
          ciphertext: sealed.ciphertext,
          iv: sealed.iv,
          auth_tag: sealed.authTag,
          // Replacing a value without a description keeps the one already there.
          description: input.description === undefined ? sql`secrets.description` : input.description,
          updated_at: sql`now()`,
        }),
      )
      .returning(['name', 'description', 'created_at', 'updated_at', sql<boolean>`xmax = 0`.as('inserted')])
      .executeTakeFirst();
    if (!row) throw new AppError('INTERNAL', 'The secret was not stored.');
    await recordAudit({ db: tx, ctx, entry: { action: row.inserted ? 'secret.created' : 'secret.replaced', targetType: 'secret', targetId: input.name } });
    return { record: toSecretRecord(row), created: row.inserted };
  });
}
