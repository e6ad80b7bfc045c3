import 'server-only';
import pg from 'pg';
import type { TEgressAllowList } from '@/server/security/egress-allowlist';
import { resolveWithSystemDns, type TResolveHost } from '@/server/security/egress-guard';
import { guardedPostgresSocket } from '@/server/connections/postgres/guarded-postgres-socket';

/** Connections per pool: a workflow's queries share a few sessions rather than open one per step. */
export const POOL_MAX_CLIENTS = 3;
/** Pools kept per process; the least recently used one is closed beyond it. */
const MAX_POOLS = 32;
const IDLE_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

type TPoolEntry = { pool: pg.Pool; allowKey: string };
const pools = new Map<string, TPoolEntry>();

/**
 * A small pool per connection version (`key` changes when the connection is replaced, so a
 * new password never meets an old pool), with the egress guard on every socket it opens and
 * the allow list it was made under (a changed PIPEWRIGHT_EGRESS_ALLOW makes a new pool).
 */
export function postgresPool({
  key,
  connectionString,
  allow,
  resolveHost = resolveWithSystemDns,
}: {
  key: string;
  connectionString: string;
  allow: TEgressAllowList;
  resolveHost?: TResolveHost;
}): pg.Pool {
  const allowKey = JSON.stringify(allow);
  const found = pools.get(key);
  if (found && found.allowKey === allowKey) {
    pools.delete(key);
    pools.set(key, found); // most recently used last
    return found.pool;
  }
  if (found) void closePool(key, found);
  const pool = new pg.Pool({
    connectionString,
    max: POOL_MAX_CLIENTS,
    idleTimeoutMillis: IDLE_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    allowExitOnIdle: true,
    stream: guardedPostgresSocket(allow, resolveHost),
    application_name: 'pipewright-postgres-query',
  });
  // An idle client whose server went away must not crash the process; the next query reconnects.
  pool.on('error', (error) => console.warn('[postgres.query] idle connection lost:', error.message));
  pools.set(key, { pool, allowKey });
  for (const [oldKey, entry] of pools) {
    if (pools.size <= MAX_POOLS) break;
    void closePool(oldKey, entry);
  }
  return pool;
}

async function closePool(key: string, entry: TPoolEntry): Promise<void> {
  if (pools.get(key) === entry) pools.delete(key);
  await entry.pool.end();
}

/** Closes every pool (tests, shutdown). */
export async function closePostgresPools(): Promise<void> {
  await Promise.all([...pools.entries()].map(([key, entry]) => closePool(key, entry)));
}
