import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '@/server/db/embedded';
import { ADVANCE_QUEUE, getQueue } from '@/server/runtime/queue/run-queue';
import { createTestDatabase, type TTestDatabase } from '@/test/database';

let t: TTestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('run_queue');
});
afterAll(async () => {
  await (await getQueue()).stop({ graceful: false });
  await t.close();
});

it('starts the queue again on the next use after a start that failed because the database was down', async () => {
  // Nothing listens on this port: the database is "down" for the first use.
  process.env.DATABASE_URL = `postgres://postgres:nothing@127.0.0.1:${await freePort()}/none`;
  await expect(getQueue()).rejects.toThrow(/ECONNREFUSED|connect/);
  process.env.DATABASE_URL = t.url; // and back
  const boss = await getQueue();
  expect(await boss.getQueue(ADVANCE_QUEUE)).toMatchObject({ name: ADVANCE_QUEUE });
});
