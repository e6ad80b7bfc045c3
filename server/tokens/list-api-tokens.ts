import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { ApiToken } from '@/server/db/schema';
import type { TAuthContext } from '@/server/auth/context';
import { ZRole } from '@/model/roles';

export const ZApiTokenRecord = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: ZRole,
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
});
export type TApiTokenRecord = z.infer<typeof ZApiTokenRecord>;

export function toApiTokenRecord(row: ApiToken, createdBy: string | null): TApiTokenRecord {
  const status = row.revoked_at
    ? 'revoked'
    : row.expires_at && row.expires_at.getTime() <= Date.now()
      ? 'expired'
      : 'active';
  return {
    id: row.id,
    name: row.name,
    prefix: row.token_prefix,
    role: row.role,
    createdBy,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    status,
  };
}

/** The tenant's API tokens, newest first; never their values. */
export async function listApiTokens({ db, ctx }: { db: Db; ctx: TAuthContext }): Promise<TApiTokenRecord[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('api_tokens')
    .select('users.email as ownerEmail')
    .where('api_tokens.tenant_id', '=', ctx.tenantId)
    .orderBy('api_tokens.created_at', 'desc')
    .execute();
  return rows.map((row) => toApiTokenRecord(row, row.ownerEmail));
}
