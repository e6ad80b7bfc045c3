/**
 * `npm start` (and `npm run dev` with --dev): the whole app on one machine. Embedded
 * PostgreSQL when DATABASE_URL is unset, migrations, first admin, a production build when
 * none is current, then the web server and one worker as child processes. Each of them that
 * dies (an OOM kill, a crash, a postmaster stopped by hand) is started again with backoff; runs
 * a dead worker held are taken over by lease expiry and the reaper. Ctrl-C stops the children
 * first, then the database, so nothing is cut off mid-write.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyLocalDefaults, dataDir, port } from '@/server/config';
import { acquireInstanceLock } from './lib/instance-lock';
import { buildNeeded, nextBuild } from './lib/build';
import { WORKER_ENV, WORKER_NODE_FLAGS, buildWorker, workerBundle } from './lib/build-worker';
import { watchParent } from './lib/parent-watch';
import { prepareDatabase, startLocalPostgres } from './lib/prepare-database';
import { startChild, waitForHttp } from './lib/child-process';
import { supervise, type TSupervision } from './lib/supervise';
import { TS_NODE_ARGS } from './lib/node-args';

const dev = process.argv.includes('--dev');
const log = (line: string) => console.log(`[pipewright] ${line}`);
const NEXT_BIN = path.resolve('node_modules/next/dist/bin/next');
// Gives route handlers the TCP peer's address, which Next.js hides (see the file).
const PEER_ADDRESS_PRELOAD = pathToFileURL(path.resolve('scripts/peer-address.mjs')).href;
// Ends the web server and the worker when this supervisor dies without stopping them (see the file).
const EXIT_WITH_SUPERVISOR = ['--import', pathToFileURL(path.resolve('scripts/exit-with-supervisor.mjs')).href];
// Answers run starts with their compiled route handler, without Next.js's per-request pipeline (see the file).
const API_FAST_PATH_PRELOAD = pathToFileURL(path.resolve('scripts/api-fast-path.mjs')).href;

async function main(): Promise<void> {
  const dir = dataDir();
  mkdirSync(dir, { recursive: true });
  const url = process.env.NEXTAUTH_URL ?? `http://localhost:${port()}`;
  const lock = acquireInstanceLock(dir, { pid: process.pid, url, startedAt: new Date().toISOString() });
  if (!lock.acquired) {
    console.error(
      `Pipewright is already running from ${dir} (pid ${lock.holder.pid}, since ${lock.holder.startedAt}) at ${lock.holder.url}.`,
    );
    console.error('Stop it with Ctrl-C in its terminal, or use another PIPEWRIGHT_DATA_DIR and PORT.');
    process.exit(1);
  }

  // From here on, every exit path releases the lock and stops the database.
  // Stopping a supervision stops its restarts first: nothing comes back during shutdown.
  const children: TSupervision[] = [];
  let database: TSupervision | null = null;
  let shuttingDown = false;
  const shutdown = async (reason: string, code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${reason}: stopping`);
    // Nothing is started again from here on: a SIGTERM sent to every process at once also
    // reaches PostgreSQL, which then exits while the web server and worker are still stopping.
    for (const supervision of [...children, database]) supervision?.hold();
    await Promise.all(children.map((child) => child.stop()));
    if (database) {
      await database.stop().catch((error: Error) => log(`stopping PostgreSQL: ${error.message}`));
    }
    lock.release();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('Ctrl-C', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  // A SIGTERM sent to `npm start` ends its `sh -c` and never reaches us (see watchParent).
  watchParent(() => void shutdown('the process that started Pipewright exited', 0));

  try {
    applyLocalDefaults(process.env);
    const prepared = await prepareDatabase({ log });
    const embedded = prepared.embedded;
    if (embedded) {
      // Restarted on the same port, so the URL the web server and worker have stays right.
      database = supervise({
        name: 'PostgreSQL',
        running: embedded,
        start: () => startLocalPostgres({ log, port: embedded.port }),
        log,
      });
    }
    if (shuttingDown) return;

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PIPEWRIGHT_SUPERVISOR_PID: String(process.pid),
      DATABASE_URL: prepared.url,
      PORT: String(port()),
      NEXTAUTH_URL: url,
      // A self-hosted tool does not phone home.
      NEXT_TELEMETRY_DISABLED: '1',
      // People at a terminal read lines, not JSON (SPEC §8); set it to `json` for a log shipper.
      PIPEWRIGHT_LOG_FORMAT: process.env.PIPEWRIGHT_LOG_FORMAT ?? 'pretty',
    };
    if (!dev) {
      const why = buildNeeded();
      if (why) {
        log(`building the app (${why}); this takes a minute or two`);
        nextBuild({ env });
      }
      if (!workerBundle()) await buildWorker();
    }
    // Production only: in development Next.js compiles routes on demand, and there is no compiled route to load.
    const preloads = dev ? [PEER_ADDRESS_PRELOAD] : [API_FAST_PATH_PRELOAD, PEER_ADDRESS_PRELOAD];
    const webArgs = [
      ...EXIT_WITH_SUPERVISOR,
      ...preloads.flatMap((preload) => ['--import', preload]),
      NEXT_BIN,
      dev ? 'dev' : 'start',
      '-p',
      String(port()),
    ];
    // In production the worker runs as plain JavaScript (scripts/lib/build-worker.ts): ~50 MB less than through tsx.
    const bundle = dev ? null : workerBundle();
    const workerArgs = [
      ...EXIT_WITH_SUPERVISOR,
      ...(dev
        ? [...TS_NODE_ARGS, '--watch', 'worker/main.ts']
        : bundle
          ? [...WORKER_NODE_FLAGS, bundle]
          : [...TS_NODE_ARGS, 'worker/main.ts']),
    ];
    const web = supervise({ name: 'web', start: () => startChild('web', process.execPath, webArgs, env), log });
    const worker = supervise({
      name: 'worker',
      start: () => startChild('worker', process.execPath, workerArgs, { ...WORKER_ENV, ...env }),
      log,
    });
    children.push(web, worker);

    // A web server that dies before it ever answered (port taken, broken build) will not do
    // better the next time: that is a failed start, not a crash to ride out.
    await waitForHttp(`http://127.0.0.1:${port()}/api/v1/health`, dev ? 120_000 : 60_000, () => web.failures() === 0);
    const { bootstrap } = prepared;
    const password = process.env.PIPEWRIGHT_ADMIN_PASSWORD
      ? '(PIPEWRIGHT_ADMIN_PASSWORD)'
      : bootstrap.passwordStillValid
        ? prepared.adminPassword
        : '(changed since the first start)';
    console.log(
      [
        '',
        `  Pipewright is running${dev ? ' in development mode' : ''}`,
        `  URL:       ${url}`,
        `  Sign in:   ${bootstrap.adminEmail}   password: ${password}`,
        `  Database:  ${prepared.embedded ? `embedded PostgreSQL in ${path.join(dir, 'pg')} (port ${prepared.embedded.port})` : 'DATABASE_URL'}`,
        '  Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    console.error(`[pipewright] could not start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown('start failed', 1);
  }
}

void main();
