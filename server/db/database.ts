import 'server-only';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from '@/server/db/schema';
import { AppError } from '@/model/errors';
import { installNamedStatements } from '@/server/db/named-statements';

// bigint (int8) columns such as audit_log.id come back as strings; counts are parsed where used.
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type DbOrTx = Db | Tx;

const globalForDb = globalThis as unknown as { pipewrightDb?: Db; pipewrightPool?: pg.Pool };

/**
 * Connections the app's long-lived pools (the web process's getDb(), the worker's) keep open
 * while idle. pg's pool closes a connection idle for 10 s; the next query then pays a new
 * connection (TCP, SCRAM's key derivation, a backend fork: ~6x a round trip, tens of ms on a
 * busy machine) and prepares its statements again. That was the start of the first run after
 * a quiet moment: the person clicking "Run", not the benchmark's back-to-back starts.
 */
export const KEEP_WARM_CONNECTIONS = 2;

/** Builds a Kysely instance over its own pool; callers own its lifetime. `min`: connections kept open while idle. */
export function createDb(
  connectionString: string,
  options: { max?: number; min?: number } = {},
): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    min: options.min ?? 0,
    application_name: 'pipewright',
  });
  // A database restart (or a dropped connection) ends every client with an 'error' event, and
  // an EventEmitter's 'error' with no listener ends the process. pg-pool listens only while a
  // client is idle; while Kysely has one checked out (a query in flight, a transaction between
  // statements) nothing would. So each client gets a listener of its own for its whole life:
  // the query in flight fails with the same error and its caller decides, the pool drops the
  // client on release (it is no longer queryable), and the next query connects anew.
  pool.on('connect', (client) => {
    installNamedStatements(client);
    client.on('error', (error) => console.error(`[db] connection lost: ${error.message}`));
  });
  // The client's own listener above has logged it; the pool has dropped the idle client.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}

/** The process-wide database handle, created on first use from DATABASE_URL. */
export function getDb(): Db {
  if (!globalForDb.pipewrightDb) {
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new AppError(
        'INTERNAL',
        'DATABASE_URL is not set: start Pipewright with `npm start`, or set DATABASE_URL.',
      );
    }
    const { db, pool } = createDb(url, { min: KEEP_WARM_CONNECTIONS });
    globalForDb.pipewrightDb = db;
    globalForDb.pipewrightPool = pool;
  }
  return globalForDb.pipewrightDb;
}

/** Replaces the process-wide handle; used by tests that own a database per file. */
export function setDb(db: Db): void {
  globalForDb.pipewrightDb = db;
}

/**
 * Why a connection attempt may work if simply tried again: the server is down, starting, shutting
 * down or full, or the network dropped us. Wrong credentials or a missing database are not.
 */
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);
const TRANSIENT_SQLSTATE = new Set(['57P01', '57P02', '57P03', '53300']); // admin/crash shutdown, cannot connect now, too many connections

/** Whether `error` is a lost or refused connection (worth retrying), not a mistake. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (TRANSIENT_ERRNO.has(code) || TRANSIENT_SQLSTATE.has(code))) return true;
  // pg's own words for a socket that closed under it; it gives them no code.
  return /^Connection terminated/.test(error.message);
}

/**
 * Resolves once the database answers, asking again with backoff (0.5 s doubling to 30 s) while
 * the connection is refused or lost; any other error is thrown. A process started during a
 * database restart (a worker brought back by `npm start`, a container scheduled before its
 * database) then waits for it instead of exiting.
 */
export async function waitForDatabase({ db, log }: { db: Db; log: (line: string) => void }): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await sql`SELECT 1`.execute(db);
      if (attempt > 0) log('the database answers again');
      return;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      const delayMs = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
      log(`the database is not reachable (${(error as Error).message}); trying again in ${delayMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
