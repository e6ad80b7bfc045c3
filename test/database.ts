import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, setDb, type Db } from '@/server/db/database';
import { migrateToLatest } from '@/server/db/migrate';

export type TTestDatabase = { db: Db; url: string; name: string; close: () => Promise<void> };

/**
 * A fresh, migrated database of its own for one test file, also installed as the process's
 * `getDb()`. The database is left in place after the run for inspection; the next run wipes
 * the whole cluster.
 */
export async function createTestDatabase(label = 'test'): Promise<TTestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const { db } = createDb(url.toString(), { max: 5 });
  await migrateToLatest({ db });
  setDb(db);
  return { db, url: url.toString(), name, close: () => db.destroy() };
}
