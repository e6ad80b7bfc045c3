import 'server-only';
import { Migrator } from 'kysely';
import type { Db } from '@/server/db/database';
import { MIGRATIONS } from '@/migrations';

/**
 * Applies every pending migration. Kysely's Postgres adapter takes a transaction-level
 * advisory lock around the run, so two processes starting at once apply each migration once.
 */
export async function migrateToLatest({
  db,
  log = () => {},
}: {
  db: Db;
  log?: (line: string) => void;
}): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results } = await migrator.migrateToLatest();
  const applied: string[] = [];
  for (const result of results ?? []) {
    if (result.status === 'Success') {
      applied.push(result.migrationName);
      log(`migration applied: ${result.migrationName}`);
    } else if (result.status === 'Error') {
      log(`migration failed: ${result.migrationName}`);
    }
  }
  if (error) throw error;
  return applied;
}
