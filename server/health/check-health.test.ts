import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '@/server/db/database';
import { freePort } from '@/server/db/embedded';
import { checkHealth, HEALTH_TIMEOUT_MS } from '@/server/health/check-health';
import { createTestDatabase, type TTestDatabase } from '@/test/database';

let t: TTestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('health');
});
afterAll(async () => t.close());

async function heartbeat(id: string, { ageSeconds = 0, stopped = false } = {}) {
  await t.db
    .insertInto('workers')
    .values({
      id,
      hostname: 'test-host',
      pid: 1,
      heartbeat_at: sql<Date>`now() - make_interval(secs => ${ageSeconds})`,
      stopped_at: stopped ? sql<Date>`now()` : null,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        heartbeat_at: sql<Date>`now() - make_interval(secs => ${ageSeconds})`,
        stopped_at: stopped ? sql<Date>`now()` : null,
      }),
    )
    .execute();
}

describe('the health check', () => {
  it('reports the queue down while the job queue is not installed, even with a live worker', async () => {
    await heartbeat('w-live');
    expect(await checkHealth({ db: t.db })).toEqual({ ok: false, db: true, queue: false });
  });

  describe('once the job queue is installed', () => {
    beforeAll(async () => {
      // Only the table the check looks for; the real queue schema belongs to pg-boss.
      await sql`CREATE SCHEMA IF NOT EXISTS pgboss`.execute(t.db);
      await sql`CREATE TABLE IF NOT EXISTS pgboss.job (id uuid)`.execute(t.db);
    });

    it('is ok while a worker has beaten its heart within 30 s', async () => {
      await heartbeat('w-live', { ageSeconds: 5 });
      expect(await checkHealth({ db: t.db })).toEqual({ ok: true, db: true, queue: true });
    });

    it('reports the queue down when the only worker is silent for over 30 s or has stopped', async () => {
      await heartbeat('w-live', { ageSeconds: 31 });
      expect((await checkHealth({ db: t.db })).queue).toBe(false);
      await heartbeat('w-live', { stopped: true });
      expect((await checkHealth({ db: t.db })).queue).toBe(false);
    });
  });

  it('reports the database down (and does not throw) when it cannot connect', async () => {
    const port = await freePort();
    const { db } = createDb(`postgres://nobody:nothing@127.0.0.1:${port}/none`, { max: 1 });
    try {
      expect(await checkHealth({ db })).toEqual({ ok: false, db: false, queue: false });
    } finally {
      await db.destroy();
    }
  });

  it('reports the database down within a few seconds when its host accepts but never answers', async () => {
    // A database behind a network partition: the connection opens and then nothing comes back.
    const held = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const { db } = createDb(`postgres://nobody:nothing@127.0.0.1:${port}/none`, { max: 1 });
    try {
      const started = Date.now();
      expect(await checkHealth({ db })).toEqual({ ok: false, db: false, queue: false });
      expect(Date.now() - started).toBeLessThan(HEALTH_TIMEOUT_MS + 2_000);
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
      await db.destroy();
    }
  });
});
