import { PgBoss } from 'pg-boss';
import { applyLocalDefaults } from '@/server/config';
import { createDb } from '@/server/db/database';
import { migrateToLatest } from '@/server/db/migrate';
import { startHeartbeat } from '@/worker/heartbeat';

const log = (line: string) => console.log(`[worker ${process.pid}] ${line}`);

async function main(): Promise<void> {
  applyLocalDefaults(process.env);
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('npm run worker needs DATABASE_URL (npm start runs a worker against its embedded database).');
    process.exit(1);
  }
  const { db } = createDb(url, { max: 5 });
  await migrateToLatest({ db, log });

  // LISTEN/NOTIFY wakes workers within milliseconds of a send instead of at the next poll.
  const boss = new PgBoss({ connectionString: url, useListenNotify: true, application_name: 'pipewright-worker' });
  boss.on('error', (error) => log(`queue error: ${error.message}`));
  await boss.start();
  const heartbeat = await startHeartbeat({ db, log });
  log(`ready (${heartbeat.id})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing current work and stopping`);
    // The heartbeat row is marked stopped first so health reports the truth while we drain.
    await heartbeat.stop().catch((error: Error) => log(`could not mark the worker stopped: ${error.message}`));
    await boss.stop({ graceful: true, timeout: 20_000 }).catch((error: Error) => log(`queue stop: ${error.message}`));
    await db.destroy();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('[worker] failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
