/** `npm run web`: one web server against DATABASE_URL, for scale-out behind a load balancer. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyLocalDefaults, port } from '@/server/config';
import { createDb } from '@/server/db/database';
import { migrateToLatest } from '@/server/db/migrate';
import { buildNeeded } from './lib/build';

async function main(): Promise<void> {
  applyLocalDefaults(process.env);
  if (!process.env.DATABASE_URL) {
    console.error('npm run web needs DATABASE_URL (npm start runs everything against an embedded database).');
    process.exit(1);
  }
  const why = buildNeeded();
  if (why) {
    console.error(`No current production build (${why}): run \`npm run build\` first.`);
    process.exit(1);
  }
  const { db } = createDb(process.env.DATABASE_URL, { max: 1 });
  await migrateToLatest({ db, log: (line) => console.log(`[web] ${line}`) });
  await db.destroy();
  process.env.NEXTAUTH_URL ??= `http://localhost:${port()}`;
  // peer-address.mjs gives route handlers the TCP peer's address, which Next.js hides (see the file).
  // api-fast-path.mjs answers run starts with their compiled route handler, without Next.js's
  // per-request pipeline; it loads first so that peer-address.mjs wraps it.
  const args = [
    '--import',
    pathToFileURL(path.resolve('scripts/api-fast-path.mjs')).href,
    '--import',
    pathToFileURL(path.resolve('scripts/peer-address.mjs')).href,
    path.resolve('node_modules/next/dist/bin/next'),
    'start',
    '-p',
    String(port()),
  ];
  const next = spawn(process.execPath, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => next.kill(signal));
  next.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((error: unknown) => {
  console.error('[web] failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
