import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmbeddedPostgres, unixSocketUrl, type TEmbeddedDatabase } from '@/server/db/embedded';

// A private cluster: the suite's shared one is reached over TCP and must not be stopped here.
let root: string;
let database: TEmbeddedDatabase;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'pipewright-socket-'));
  chmodSync(root, 0o755); // as root, PostgreSQL runs as 'postgres', which must reach the data dir
  database = await startEmbeddedPostgres({
    databaseDir: path.join(root, 'pg'),
    password: 'socket-test-password',
    database: 'socket_test',
  });
}, 120_000);
afterAll(async () => {
  await database?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** How the server sees the connection: its own address (null over a Unix-domain socket), and the database. */
async function seenBy(url: string): Promise<{ address: string | null; database: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ address: string | null; database: string }>(
      'SELECT host(inet_server_addr()) AS address, current_database() AS database',
    );
    return rows.rows[0]!;
  } finally {
    await client.end();
  }
}

it('serves the same database over its Unix-domain socket and over TCP', async () => {
  expect(database.socketUrl).not.toBeNull();
  expect(await seenBy(database.socketUrl!)).toEqual({ address: null, database: 'socket_test' });
  expect(await seenBy(database.url)).toEqual({ address: '127.0.0.1', database: 'socket_test' });
});

it('refuses a wrong password over the socket too', async () => {
  const wrong = new URL(database.socketUrl!);
  wrong.password = 'not-the-password';
  await expect(seenBy(wrong.toString())).rejects.toThrow(/password authentication failed/);
});

it('names the socket directory in the URL, keeping its database, user and port', () => {
  const url = unixSocketUrl('postgres://u:p%40ss@127.0.0.1:5433/app', '/tmp');
  expect(url).toBe('postgres://u:p%40ss@127.0.0.1:5433/app?host=%2Ftmp');
});
