import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';

export const ZCreateTenant = z.object({
  name: z.string().trim().min(1, 'give the tenant a name').max(100),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use lowercase letters, digits and dashes, starting with a letter or digit'),
});

/** Creates a tenant with the calling person as its first admin. */
export async function createTenant({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.infer<typeof ZCreateTenant>;
}): Promise<{ id: string; slug: string }> {
  if (ctx.actor.type !== 'user') throw new AppError('FORBIDDEN', 'Only a person can create a tenant.');
  const userId = ctx.actor.userId;
  return db.transaction().execute(async (tx) => {
    const tenant = await tx
      .insertInto('tenants')
      .values({ slug: input.slug, name: input.name })
      .onConflict((oc) => oc.column('slug').doNothing())
      .returning(['id', 'slug'])
      .executeTakeFirst();
    if (!tenant)
      throw new AppError('CONFLICT', `A tenant with the slug "${input.slug}" already exists.`, [
        { path: 'slug', message: 'already taken' },
      ]);
    await tx.insertInto('memberships').values({ tenant_id: tenant.id, user_id: userId, role: 'admin' }).execute();
    const audit = {
      action: 'tenant.created',
      targetType: 'tenant',
      targetId: tenant.id,
      data: { slug: input.slug, name: input.name },
    };
    await recordAudit({ db: tx, ctx: { tenantId: tenant.id, actor: ctx.actor }, entry: audit });
    return tenant;
  });
}
