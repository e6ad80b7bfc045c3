import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type TEmbeddedDatabase } from '@/server/db/embedded';
import { isProcessAlive } from '@/server/system/is-process-alive';

// A second, private cluster (the suite's shared one must not be stopped under other files).
let root: string;
let databaseDir: string;
const running: TEmbeddedDatabase[] = [];
const PASSWORD = 'embedded-test-password';

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'pipewright-embedded-'));
  // As root, PostgreSQL runs as the 'postgres' user, which must be able to reach the data dir.
  chmodSync(root, 0o755);
  databaseDir = path.join(root, 'pg');
});
afterAll(async () => {
  for (const db of running) await db.stop();
  rmSync(root, { recursive: true, force: true });
});

async function start(): Promise<TEmbeddedDatabase> {
  const db = await startEmbeddedPostgres({ databaseDir, password: PASSWORD, database: 'restart_test' });
  running.push(db);
  return db;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

function postmasterPid(): number {
  return Number(readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

describe('the embedded PostgreSQL', () => {
  it('keeps its data across a stop and a start', async () => {
    const first = await start();
    await query(first.url, 'CREATE TABLE kept (note text)');
    await query(first.url, 'INSERT INTO kept VALUES ($1)', ['written before the restart']);
    await first.stop();
    await expect(query(first.url, 'SELECT 1')).rejects.toThrow();

    const second = await start();
    const rows = await query<{ note: string }>(second.url, 'SELECT note FROM kept');
    expect(rows).toEqual([{ note: 'written before the restart' }]);
  });

  it('stops a server left running by a killed supervisor and starts on the same data', async () => {
    // The previous test left `second` running; starting again without stopping it is what a
    // new `npm start` sees after the old supervisor was SIGKILLed.
    const orphanPid = postmasterPid();
    expect(isProcessAlive(orphanPid)).toBe(true);
    const next = await start();
    expect(isProcessAlive(orphanPid)).toBe(false);
    expect(postmasterPid()).not.toBe(orphanPid);
    const rows = await query<{ note: string }>(next.url, 'SELECT note FROM kept');
    expect(rows).toEqual([{ note: 'written before the restart' }]);
  });
});
