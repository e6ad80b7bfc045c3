'use server';

import { cookies } from 'next/headers';
import { z } from 'zod';
import { defineServerAction } from '@/server/server-actions/define-server-action';
import { TENANT_COOKIE } from '@/server/auth/authorize';
import { AppError } from '@/model/errors';
import { listMyTenants } from '@/server/tenants/list-my-tenants';
import { servedOverHttps } from '@/server/security/public-origin';

/** Switches the current tenant, only to one the person belongs to. */
export const switchTenantAction = defineServerAction(
  { permission: 'tenant.read', input: z.object({ slug: z.string().min(1).max(64) }), revalidate: ['/'] },
  async ({ db, ctx, input }) => {
    if (ctx.actor.type !== 'user') throw new AppError('FORBIDDEN', 'Only a person can switch tenants.');
    const tenants = await listMyTenants({ db, userId: ctx.actor.userId });
    const tenant = tenants.find((t) => t.slug === input.slug);
    if (!tenant) throw new AppError('NOT_FOUND', 'You are not a member of that tenant.');
    (await cookies()).set(TENANT_COOKIE, tenant.slug, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      maxAge: 365 * 24 * 60 * 60,
      secure: servedOverHttps(),
    });
    return { slug: tenant.slug, name: tenant.name };
  },
);
