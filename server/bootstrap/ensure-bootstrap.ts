import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { recordAudit } from '@/server/audit/record-audit';
import { hashPassword, verifyPassword } from '@/server/auth/password';
import { displayPrefix, hashApiToken, TOKEN_PREFIX } from '@/server/tokens/token-format';
import { AppError } from '@/model/errors';

export const DEFAULT_TENANT_SLUG = 'default';
const SYSTEM = { type: 'system', name: 'bootstrap' } as const;

export type TBootstrapResult = {
  adminEmail: string;
  /** True when the admin still signs in with `adminPassword` (it may have been changed since). */
  passwordStillValid: boolean;
  adminCreated: boolean;
};

/**
 * Makes a fresh database usable: the `default` tenant, the first admin (only when there is no
 * user at all, so a later start never resets anyone's password), and the bootstrap token.
 * Safe to run on every start and from several processes at once.
 */
export async function ensureBootstrap({
  db,
  adminEmail,
  adminPassword,
  bootstrapToken,
}: {
  db: Db;
  adminEmail: string;
  adminPassword: string;
  bootstrapToken?: string;
}): Promise<TBootstrapResult> {
  if (bootstrapToken !== undefined && (!bootstrapToken.startsWith(TOKEN_PREFIX) || bootstrapToken.length < 24)) {
    throw new AppError(
      'CONFIG',
      `PIPEWRIGHT_BOOTSTRAP_TOKEN must start with "${TOKEN_PREFIX}" and be at least 24 characters long.`,
    );
  }
  const email = adminEmail.trim().toLowerCase();
  const passwordHash = await hashPassword(adminPassword);
  return db.transaction().execute(async (tx) => {
    // One bootstrap at a time across processes; the lock is released with the transaction.
    await sql`SELECT pg_advisory_xact_lock(hashtext('pipewright.bootstrap'))`.execute(tx);
    let tenant = await tx.selectFrom('tenants').select('id').where('slug', '=', DEFAULT_TENANT_SLUG).executeTakeFirst();
    if (!tenant) {
      tenant = await tx
        .insertInto('tenants')
        .values({ slug: DEFAULT_TENANT_SLUG, name: 'Default' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit({
        db: tx,
        ctx: { tenantId: tenant.id, actor: SYSTEM },
        entry: {
          action: 'tenant.created',
          targetType: 'tenant',
          targetId: tenant.id,
          data: { slug: DEFAULT_TENANT_SLUG },
        },
      });
    }
    const anyUser = await tx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    let adminCreated = false;
    if (!anyUser) {
      const admin = await tx
        .insertInto('users')
        .values({ email, name: 'Admin', password_hash: passwordHash })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx.insertInto('memberships').values({ tenant_id: tenant.id, user_id: admin.id, role: 'admin' }).execute();
      await recordAudit({
        db: tx,
        ctx: { tenantId: tenant.id, actor: SYSTEM },
        entry: {
          action: 'member.added',
          targetType: 'user',
          targetId: admin.id,
          data: { email, role: 'admin', newAccount: true },
        },
      });
      adminCreated = true;
    }
    const admin = await tx
      .selectFrom('users')
      .innerJoin('memberships', 'memberships.user_id', 'users.id')
      .select(['users.id', 'users.email', 'users.password_hash'])
      .where('memberships.tenant_id', '=', tenant.id)
      .where('memberships.role', '=', 'admin')
      .orderBy(sql`users.email = ${email}`, 'desc')
      .orderBy('memberships.created_at')
      .executeTakeFirst();
    if (bootstrapToken && admin) {
      const hash = hashApiToken(bootstrapToken);
      const existing = await tx
        .selectFrom('api_tokens')
        .select(['id', 'tenant_id', 'revoked_at'])
        .where('token_hash', '=', hash)
        .executeTakeFirst();
      if (!existing) {
        const token = await tx
          .insertInto('api_tokens')
          .values({
            tenant_id: tenant.id,
            user_id: admin.id,
            name: 'bootstrap',
            token_prefix: displayPrefix(bootstrapToken),
            token_hash: hash,
            role: 'admin',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await recordAudit({
          db: tx,
          ctx: { tenantId: tenant.id, actor: SYSTEM },
          entry: {
            action: 'token.created',
            targetType: 'api_token',
            targetId: token.id,
            data: { name: 'bootstrap', role: 'admin' },
          },
        });
      } else if (existing.tenant_id === tenant.id && existing.revoked_at) {
        // The variable is the operator's standing instruction: while it is set, the token works.
        await tx
          .updateTable('api_tokens')
          .set({ revoked_at: null, expires_at: null })
          .where('id', '=', existing.id)
          .execute();
        await recordAudit({
          db: tx,
          ctx: { tenantId: tenant.id, actor: SYSTEM },
          entry: {
            action: 'token.restored',
            targetType: 'api_token',
            targetId: existing.id,
            data: { name: 'bootstrap' },
          },
        });
      }
    }
    const passwordStillValid = admin ? await verifyPassword(adminPassword, admin.password_hash) : false;
    return { adminEmail: admin?.email ?? email, passwordStillValid, adminCreated };
  });
}
