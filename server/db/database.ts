import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from '@/server/db/schema';
import { AppError } from '@/server/errors';

// bigint (int8) columns such as audit_log.id come back as strings; counts are parsed where used.
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type DbOrTx = Db | Tx;

const globalForDb = globalThis as unknown as { pipewrightDb?: Db; pipewrightPool?: pg.Pool };

/** Builds a Kysely instance over its own pool; callers own its lifetime. */
export function createDb(connectionString: string, options: { max?: number } = {}): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, application_name: 'pipewright' });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool drops it and the next query reconnects.
  pool.on('error', (error) => console.error('[db] idle client error:', error.message));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}

/** The process-wide database handle, created on first use from DATABASE_URL. */
export function getDb(): Db {
  if (!globalForDb.pipewrightDb) {
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new AppError('INTERNAL', 'DATABASE_URL is not set: start Pipewright with `npm start`, or set DATABASE_URL.');
    }
    const { db, pool } = createDb(url);
    globalForDb.pipewrightDb = db;
    globalForDb.pipewrightPool = pool;
  }
  return globalForDb.pipewrightDb;
}

/** Replaces the process-wide handle; used by tests that own a database per file. */
export function setDb(db: Db): void {
  globalForDb.pipewrightDb = db;
}
