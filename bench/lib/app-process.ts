import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TS_NODE_ARGS } from '@/scripts/lib/node-args';

export type TBenchApp = {
  baseUrl: string;
  dbUrl: string;
  token: string;
  /** The supervisor's pid (scripts/start.ts): web, worker and PostgreSQL are its children. */
  pid: number;
  dataDir: string;
  /** JSON lines {url, status, ms}: the web process's time for each request sent with `x-bench-server-time` (bench/lib/server-timing-preload.mjs). */
  serverTimingFile: string;
  output: () => string;
  /** False once the app's supervisor has exited. */
  running: () => boolean;
  stop: () => Promise<void>;
};

export const BENCH_TOKEN = 'pw_bench_bootstrap_token_0123456789abcdef';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the whole app exactly as `npm start` does (scripts/start.ts: embedded PostgreSQL in
 * `dataDir`, migrations, bootstrap, a production build when none is current, `next start` and
 * one worker), with an admin API token, and returns its addresses once it answers.
 * BENCH_WEB_PROF=dir profiles every process of the app (a .cpuprofile each, written there
 * when it exits); BENCH_QUERY_COUNT=dir counts each process's queries by statement (a JSON
 * file each at exit, and one per SIGUSR2, which starts a new count).
 */
export async function startBenchApp({
  dataDir,
  env = {},
  root = process.cwd(),
  port: wanted,
}: {
  dataDir: string;
  env?: Record<string, string>;
  /** The checkout to start (a built one; BENCH_BEFORE_ROOT of the designer bench). */
  root?: string;
  /** A fixed port (its base URL is the sign-in address a browser uses); a free one by default. */
  port?: number;
}): Promise<TBenchApp> {
  const port = wanted ?? (await freePort());
  // --cpu-prof is refused in NODE_OPTIONS; a preload starts the inspector's profiler instead.
  const preloads: string[] = [];
  const profile: Record<string, string> = {};
  if (process.env.BENCH_WEB_PROF) {
    preloads.push('bench/lib/cpu-profile-preload.mjs');
    profile.BENCH_WEB_PROF = path.resolve(process.env.BENCH_WEB_PROF);
  }
  if (process.env.BENCH_QUERY_COUNT) {
    preloads.push('bench/lib/query-count-preload.mjs');
    profile.BENCH_QUERY_COUNT = path.resolve(process.env.BENCH_QUERY_COUNT);
  }
  // Always loaded: it only times requests that ask for it (x-bench-server-time).
  preloads.push('bench/lib/server-timing-preload.mjs');
  const serverTimingFile = `${path.resolve(dataDir)}.server-timing.jsonl`;
  profile.BENCH_SERVER_TIMING_FILE = serverTimingFile;
  profile.NODE_OPTIONS = preloads.map((file) => `--import ${pathToFileURL(path.resolve(file)).href}`).join(' ');
  const child = spawn(process.execPath, [...TS_NODE_ARGS, 'scripts/start.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      PIPEWRIGHT_DATA_DIR: dataDir,
      PIPEWRIGHT_ADMIN_PASSWORD: 'bench-admin-password-1',
      PIPEWRIGHT_BOOTSTRAP_TOKEN: BENCH_TOKEN,
      NEXTAUTH_URL: `http://localhost:${port}`,
      DATABASE_URL: '',
      ...profile,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 900_000; // a production build on a busy machine takes minutes
  let dbPort: string | undefined;
  while (!(dbPort = /embedded PostgreSQL in .* \(port (\d+)\)/.exec(output)?.[1])) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`The app did not start:\n${output.slice(-5000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { dbPassword } = JSON.parse(readFileSync(path.join(dataDir, 'local.json'), 'utf8')) as { dbPassword: string };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    dbUrl: `postgres://postgres:${encodeURIComponent(dbPassword)}@127.0.0.1:${dbPort}/pipewright`,
    token: BENCH_TOKEN,
    pid: child.pid!,
    dataDir,
    serverTimingFile,
    output: () => output,
    running: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
