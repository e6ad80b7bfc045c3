import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, Migrator } from 'kysely';
import type { Db } from '@/server/db/database';

export const MIGRATIONS_DIR = path.resolve(process.cwd(), 'migrations');

/**
 * Applies every pending migration. Kysely's Postgres adapter takes a transaction-level
 * advisory lock around the run, so two processes starting at once apply each migration once.
 */
export async function migrateToLatest({ db, log = () => {} }: { db: Db; log?: (line: string) => void }): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
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
