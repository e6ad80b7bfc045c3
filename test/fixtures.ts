import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import type { TRole } from '@/model/roles';
import { hashPassword } from '@/server/auth/password';

let counter = 0;

// scrypt is deliberately slow (~60 ms and 32 MiB a hash); fixtures create many users with the
// same few passwords, so each password is hashed once per test file. Tests about hashing
// itself call hashPassword directly.
const hashes = new Map<string, Promise<string>>();
function fixtureHash(password: string): Promise<string> {
  let hash = hashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    hashes.set(password, hash);
  }
  return hash;
}

/** A tenant with one member of the given role, and the context that member acts in. */
export async function createTenantWithMember({
  db,
  role = 'admin',
  slug,
  password = 'correct horse battery',
}: {
  db: Db;
  role?: TRole;
  slug?: string;
  password?: string;
}): Promise<{ ctx: TAuthContext; tenantId: string; userId: string; email: string; password: string }> {
  counter += 1;
  const tenantSlug = slug ?? `t${counter}-${Math.random().toString(36).slice(2, 8)}`;
  const tenant = await db
    .insertInto('tenants')
    .values({ slug: tenantSlug, name: `Tenant ${tenantSlug}` })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
  const email = `${role}-${tenantSlug}@example.com`;
  const user = await db
    .insertInto('users')
    .values({ email, name: `${role} ${counter}`, password_hash: await fixtureHash(password) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('memberships').values({ tenant_id: tenant.id, user_id: user.id, role }).execute();
  return {
    tenantId: tenant.id,
    userId: user.id,
    email,
    password,
    ctx: {
      tenantId: tenant.id,
      tenantSlug,
      tenantName: tenant.name,
      role,
      actor: { type: 'user', userId: user.id, email, name: `${role} ${counter}` },
    },
  };
}

/** Adds another member with `role` to an existing tenant. */
export async function addMemberTo({
  db,
  ctx,
  role,
}: {
  db: Db;
  ctx: TAuthContext;
  role: TRole;
}): Promise<{ ctx: TAuthContext; userId: string; email: string }> {
  counter += 1;
  const email = `${role}-${counter}-${ctx.tenantSlug}@example.com`;
  const user = await db
    .insertInto('users')
    .values({ email, name: `${role} ${counter}`, password_hash: await fixtureHash('correct horse battery') })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('memberships').values({ tenant_id: ctx.tenantId, user_id: user.id, role }).execute();
  return {
    userId: user.id,
    email,
    ctx: { ...ctx, role, actor: { type: 'user', userId: user.id, email, name: `${role} ${counter}` } },
  };
}
