import 'server-only';
import { z } from 'zod';
import type { Db, Tx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { ZRole } from '@/model/roles';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { displayPrefix, generateApiToken, hashApiToken } from '@/server/tokens/token-format';
import { toApiTokenRecord, type TApiTokenRecord } from '@/server/tokens/list-api-tokens';

export const ZCreateApiToken = z.object({
  name: z.string().trim().min(1, 'give the token a name').max(100),
  role: ZRole,
  expiresAt: z
    .string()
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
    .nullish()
    .refine((value) => !value || new Date(value).getTime() > Date.now(), 'must be in the future'),
});
export type TCreateApiToken = z.infer<typeof ZCreateApiToken>;

/** Creates a token in the caller's tenant. The clear value is returned here and never again. */
export async function createApiToken({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TCreateApiToken;
}): Promise<{ token: string; record: TApiTokenRecord }> {
  return db.transaction().execute((tx) => insertApiToken({ tx, ctx, input }));
}

/**
 * createApiToken inside a transaction the caller holds (a new tenant's first token is created
 * with the tenant). The owner is the person acting, or the person who owns the acting token.
 */
export async function insertApiToken({
  tx,
  ctx,
  input,
}: {
  tx: Tx;
  ctx: TAuthContext;
  input: TCreateApiToken;
}): Promise<{ token: string; record: TApiTokenRecord }> {
  const token = generateApiToken();
  const owner = ctx.actor.type === 'user' ? ctx.actor.userId : ctx.actor.type === 'token' ? ctx.actor.userId : null;
  const row = await tx
    .insertInto('api_tokens')
    .values({
      tenant_id: ctx.tenantId,
      user_id: owner,
      name: input.name,
      token_prefix: displayPrefix(token),
      token_hash: hashApiToken(token),
      role: input.role,
      expires_at: input.expiresAt ?? null,
    })
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new AppError('INTERNAL', 'The token was not stored.');
  await recordAudit({
    db: tx,
    ctx,
    entry: {
      action: 'token.created',
      targetType: 'api_token',
      targetId: row.id,
      data: { name: input.name, role: input.role, expiresAt: input.expiresAt ?? null },
    },
  });
  return { token, record: toApiTokenRecord(row, null) };
}
