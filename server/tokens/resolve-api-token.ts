import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { hashApiToken, TOKEN_PREFIX } from '@/server/tokens/token-format';
import { tokenCache } from '@/server/tokens/token-cache';

/**
 * The context a Bearer token grants, or null when it is unknown, revoked or expired, or its
 * owner is no longer a member of its tenant. A token never grants more than its owner has
 * now: a demoted owner's tokens are capped at the owner's new role (`roleCap`). A token verified
 * in the last few seconds is taken from this process's cache (see token-cache.ts for why a
 * revocation still takes effect at once).
 */
export async function resolveApiToken({ db, token }: { db: Db; token: string }): Promise<TAuthContext | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const hash = hashApiToken(token);
  const cache = tokenCache();
  const cached = cache.get(hash);
  if (cached) return cached;
  const mark = cache.mark();
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('tenants', 'tenants.id', 'api_tokens.tenant_id')
    .leftJoin('memberships', (join) =>
      join
        .onRef('memberships.tenant_id', '=', 'api_tokens.tenant_id')
        .onRef('memberships.user_id', '=', 'api_tokens.user_id'),
    )
    .select('memberships.role as ownerRole')
    .select([
      'api_tokens.id',
      'api_tokens.name',
      'api_tokens.role',
      'api_tokens.user_id',
      'api_tokens.last_used_at',
      'api_tokens.expires_at',
      'tenants.id as tenantId',
      'tenants.slug',
      'tenants.name as tenantName',
    ])
    .where('api_tokens.token_hash', '=', hash)
    .where('api_tokens.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
  if (!row || !row.ownerRole) return null;
  // Recording use at most once a minute keeps a busy script from writing on every call.
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: sql`now()` })
      .where('id', '=', row.id)
      .execute();
  }
  const ctx: TAuthContext = {
    tenantId: row.tenantId,
    tenantSlug: row.slug,
    tenantName: row.tenantName,
    role: row.role,
    roleCap: row.ownerRole,
    actor: { type: 'token', tokenId: row.id, name: row.name, userId: row.user_id },
  };
  cache.set(hash, ctx, row.expires_at, mark);
  return ctx;
}
