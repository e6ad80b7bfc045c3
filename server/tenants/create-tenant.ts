import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { insertApiToken, ZCreateApiToken } from '@/server/tokens/create-api-token';
import type { TApiTokenRecord } from '@/server/tokens/list-api-tokens';

export const ZCreateTenant = z.object({
  name: z.string().trim().min(1, 'give the tenant a name').max(100),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use lowercase letters, digits and dashes, starting with a letter or digit'),
  /** A first API token in the new tenant, owned by the creator (a script's way into the tenant it made). */
  token: ZCreateApiToken.optional(),
});
export type TCreateTenant = z.input<typeof ZCreateTenant>;
export type TCreatedTenant = {
  id: string;
  slug: string;
  name: string;
  token?: { token: string; record: TApiTokenRecord };
};

/**
 * Creates a tenant with the calling person as its first admin. A token acts for the person who
 * owns it: they become the admin, and the token that asked is recorded as the actor.
 */
export async function createTenant({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TCreateTenant;
}): Promise<TCreatedTenant> {
  const userId = ctx.actor.type === 'user' || ctx.actor.type === 'token' ? ctx.actor.userId : null;
  if (!userId) throw new AppError('FORBIDDEN', 'Only a person, or a token a person owns, can create a tenant.');
  const { name, slug, token } = ZCreateTenant.parse(input);
  return db.transaction().execute(async (tx) => {
    const tenant = await tx
      .insertInto('tenants')
      .values({ slug, name })
      .onConflict((oc) => oc.column('slug').doNothing())
      .returning(['id', 'slug', 'name'])
      .executeTakeFirst();
    if (!tenant)
      throw new AppError('CONFLICT', `A tenant with the slug "${slug}" already exists.`, [
        { path: 'slug', message: 'already taken' },
      ]);
    await tx.insertInto('memberships').values({ tenant_id: tenant.id, user_id: userId, role: 'admin' }).execute();
    const audit = { action: 'tenant.created', targetType: 'tenant', targetId: tenant.id, data: { slug, name } };
    await recordAudit({ db: tx, ctx: { tenantId: tenant.id, actor: ctx.actor }, entry: audit });
    if (!token) return tenant;
    const inNewTenant: TAuthContext = {
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      tenantName: tenant.name,
      role: 'admin',
      actor: ctx.actor,
    };
    return { ...tenant, token: await insertApiToken({ tx, ctx: inNewTenant, input: token }) };
  });
}
