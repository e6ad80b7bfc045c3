import path from 'node:path';
import { DEFAULT_ADMIN_EMAIL, loadLocalState, saveLocalState, dataDir } from '@/server/config';
import { createDb } from '@/server/db/database';
import { startEmbeddedPostgres, type TEmbeddedDatabase } from '@/server/db/embedded';
import { migrateToLatest } from '@/server/db/migrate';
import { ensureBootstrap, type TBootstrapResult } from '@/server/bootstrap/ensure-bootstrap';
import { generatePassword } from '@/server/auth/password';

export type TPreparedDatabase = {
  url: string;
  embedded: TEmbeddedDatabase | null;
  bootstrap: TBootstrapResult;
  adminPassword: string;
};

/**
 * Starts the embedded PostgreSQL of this data dir, stopped by a watchdog if this process dies
 * without stopping it. A restart passes the port it had, which must then be free again: the
 * web server and worker were given that address.
 */
export function startLocalPostgres({
  log,
  port,
}: {
  log: (line: string) => void;
  port?: number;
}): Promise<TEmbeddedDatabase> {
  const databaseDir = path.join(dataDir(), 'pg');
  return startEmbeddedPostgres({
    databaseDir,
    password: loadLocalState().dbPassword,
    log,
    // Ends with this process, however it ends (a SIGKILL skips every shutdown handler).
    stopWhenGone: process.pid,
    // A bench's window on PostgreSQL's statements (bench/lib/pg-statements.ts); never set by `npm start`.
    ...(process.env.BENCH_PG_STATEMENTS ? { settings: { shared_preload_libraries: 'pg_stat_statements' } } : {}),
    ...(port === undefined ? {} : { port, requirePort: true }),
  });
}

/**
 * Gets a database ready to serve: the embedded PostgreSQL when DATABASE_URL is unset,
 * migrations, and the first tenant, admin and bootstrap token.
 */
export async function prepareDatabase({ log }: { log: (line: string) => void }): Promise<TPreparedDatabase> {
  const state = loadLocalState();
  let embedded: TEmbeddedDatabase | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startLocalPostgres({ log });
    // Its Unix-domain socket where there is one: the same server without the TCP stack on every
    // round trip (pgbench on this 2-core VM: up to twice the one-client rate, a third more with 8).
    url = embedded.socketUrl ?? embedded.url;
  }
  const adminPassword = process.env.PIPEWRIGHT_ADMIN_PASSWORD ?? state.adminPassword ?? generatePassword();
  if (!process.env.PIPEWRIGHT_ADMIN_PASSWORD && state.adminPassword !== adminPassword) {
    // Kept so the next start prints the same sign-in instead of a new, wrong one.
    saveLocalState({ ...state, adminPassword });
  }
  const { db } = createDb(url, { max: 2 });
  try {
    await migrateToLatest({ db, log });
    const bootstrap = await ensureBootstrap({
      db,
      adminEmail: process.env.PIPEWRIGHT_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL,
      adminPassword,
      bootstrapToken: process.env.PIPEWRIGHT_BOOTSTRAP_TOKEN || undefined,
    });
    return { url, embedded, bootstrap, adminPassword };
  } catch (error) {
    await embedded?.stop();
    throw error;
  } finally {
    await db.destroy();
  }
}
