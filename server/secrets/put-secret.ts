import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError, validationErrorFromZod } from '@/model/errors';
import { sealSecret } from '@/server/secrets/secret-cipher';
import { toSecretRecord, ZSecretName, type TSecretRecord } from '@/server/secrets/secret-record';

/**
 * Runs mask every secret value they resolve wherever it would be stored, but a value this
 * short cannot be masked (it would blank out every word containing it), so it is refused.
 */
export const MIN_SECRET_LENGTH = 4;

export const ZPutSecret = z.object({
  name: ZSecretName,
  value: z
    .string()
    .min(1, 'the value is empty')
    .max(64 * 1024, 'at most 64 KiB')
    .refine(
      (value) => value.length === 0 || value.length >= MIN_SECRET_LENGTH,
      `must be at least ${MIN_SECRET_LENGTH} characters: a shorter value could not be masked in run records`,
    ),
  description: z.string().max(500).optional(),
});
export type TPutSecret = z.infer<typeof ZPutSecret>;

/** Creates or replaces a tenant secret. The value is sealed before it reaches the database. */
export async function putSecret({
  db,
  ctx,
  input: raw,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TPutSecret;
}): Promise<{ record: TSecretRecord; created: boolean }> {
  // Checked here too, not only at the routes: every caller gets the same length rule.
  const parsed = ZPutSecret.safeParse(raw);
  if (!parsed.success) throw validationErrorFromZod(parsed.error);
  const input = parsed.data;
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
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: row.inserted ? 'secret.created' : 'secret.replaced',
        targetType: 'secret',
        targetId: input.name,
      },
    });
    return { record: toSecretRecord(row), created: row.inserted };
  });
}
