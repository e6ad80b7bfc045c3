import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '@/model/roles';
import { migrateToLatest } from '@/server/db/migrate';
import { createDb } from '@/server/db/database';
import { createTestDatabase, type TTestDatabase } from '@/test/database';

let t: TTestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('schema');
});
afterAll(async () => t.close());

describe('migrations', () => {
  it('are idempotent: running them again applies nothing and keeps data', async () => {
    await t.db.insertInto('tenants').values({ slug: 'keep-me', name: 'Keep me' }).execute();
    expect(await migrateToLatest({ db: t.db })).toEqual([]);
    const row = await t.db.selectFrom('tenants').select('name').where('slug', '=', 'keep-me').executeTakeFirst();
    expect(row?.name).toBe('Keep me');
  });

  it('are safe when several processes run them at once', async () => {
    const fresh = await createTestDatabase('concurrent');
    await fresh.close();
    // Drop the migrated schema's bookkeeping by using a brand-new database: createTestDatabase
    // migrated it already, so make another one by hand and race five migrators on it.
    const url = new URL(fresh.url);
    url.pathname = `/${fresh.name}_race`;
    const admin = createDb(fresh.url.replace(`/${fresh.name}`, '/postgres'), { max: 1 });
    await sql.raw(`CREATE DATABASE "${fresh.name}_race"`).execute(admin.db);
    await admin.db.destroy();
    const racers = Array.from({ length: 5 }, () => createDb(url.toString(), { max: 1 }).db);
    const results = await Promise.all(racers.map((db) => migrateToLatest({ db })));
    expect(results.flat().filter((name) => name.endsWith('_foundation'))).toHaveLength(1);
    await Promise.all(racers.map((db) => db.destroy()));
  });

  it("store roles under a CHECK that matches the app's role list", async () => {
    const result = await sql<{
      def: string;
    }>`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'memberships_role_check'`.execute(
      t.db,
    );
    const listed = [...(result.rows[0]?.def ?? '').matchAll(/'([a-z]+)'/g)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...ROLES].sort());
  });
});

describe('the migration index', () => {
  it('lists every migration file in the folder', async () => {
    const { readdirSync } = await import('node:fs');
    const { MIGRATIONS } = await import('@/migrations');
    const files = readdirSync('migrations')
      .filter((f) => /^\d{14}_.+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''));
    expect(Object.keys(MIGRATIONS).sort()).toEqual(files.sort());
  });
});
