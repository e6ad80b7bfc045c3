/** `npm run migrate`: applies pending migrations (and the first admin) to DATABASE_URL or the embedded database. */
import { mkdirSync } from 'node:fs';
import { applyLocalDefaults, dataDir } from '@/server/config';
import { acquireInstanceLock } from './lib/instance-lock';
import { prepareDatabase } from './lib/prepare-database';

async function main(): Promise<void> {
  applyLocalDefaults(process.env);
  let release = () => {};
  if (!process.env.DATABASE_URL) {
    // The embedded database belongs to whoever holds the data dir; a running `npm start`
    // has already migrated it on its way up.
    mkdirSync(dataDir(), { recursive: true });
    const lock = acquireInstanceLock(dataDir(), {
      pid: process.pid,
      url: 'npm run migrate',
      startedAt: new Date().toISOString(),
    });
    if (!lock.acquired) {
      console.log(
        `[migrate] Pipewright is running (pid ${lock.holder.pid}) and migrated its database when it started; nothing to do.`,
      );
      return;
    }
    release = lock.release;
  }
  try {
    const prepared = await prepareDatabase({ log: (line) => console.log(`[migrate] ${line}`) });
    await prepared.embedded?.stop();
    console.log('[migrate] the database is up to date');
  } finally {
    release();
  }
}

main().catch((error: unknown) => {
  console.error('[migrate] failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
