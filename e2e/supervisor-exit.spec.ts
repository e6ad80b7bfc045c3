import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

/**
 * `npm start` as a process manager treats it: a second instance of scripts/start.ts (its own
 * data dir, port and embedded PostgreSQL, the build the suite's own instance made), then
 * SIGKILL to the supervisor alone, and SIGTERM to every one of its processes at once. Whatever
 * happens, nothing of it may stay behind, and nothing may be started again.
 */

test.describe.configure({ mode: 'serial' });
test.setTimeout(300_000);

/** Whether the process exists and is not a zombie (dead, its exit status not yet read by its parent). */
function alive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** Parent pid of every process on the machine (Linux /proc). */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // exited while we looked
      throw error;
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    map.set(Number(entry), ppid);
  }
  return map;
}

/** `roots` and every process descending from them. */
function treeOf(roots: number[]): number[] {
  const byParent = parents();
  const found = new Set(roots.filter((pid) => byParent.has(pid)));
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of byParent)
      if (found.has(ppid) && !found.has(pid)) {
        found.add(pid);
        grew = true;
      }
  }
  return [...found];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

type TInstance = { supervisor: ChildProcess; output: () => string; dataDir: string };

async function startInstance(dataDir: string, port: number): Promise<TInstance> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PIPEWRIGHT_DATA_DIR: dataDir,
    PORT: String(port),
    NEXTAUTH_URL: `http://localhost:${port}`,
    PIPEWRIGHT_ADMIN_EMAIL: 'admin@supervisor.test',
    PIPEWRIGHT_ADMIN_PASSWORD: 'supervisor-admin-password-1',
    PIPEWRIGHT_LOG_FORMAT: 'json',
  };
  delete env.DATABASE_URL; // the embedded PostgreSQL of its own data dir
  delete env.PIPEWRIGHT_LOG_FILE;
  const supervisor = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/start.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  supervisor.stdout?.on('data', append);
  supervisor.stderr?.on('data', append);
  await expect
    .poll(() => (supervisor.exitCode === null ? /Pipewright is running/.test(output) : `exited:\n${output}`), {
      timeout: 180_000,
      intervals: [250],
    })
    .toBe(true);
  // The worker is up too once the health check sees its heartbeat.
  await expect
    .poll(
      async () =>
        fetch(`http://127.0.0.1:${port}/api/v1/health`).then(
          async (response) => ((await response.json()) as { ok?: boolean }).ok === true,
          () => false,
        ),
      { timeout: 60_000, intervals: [250] },
    )
    .toBe(true);
  return { supervisor, output: () => output, dataDir };
}

/** Every process of the instance: the supervisor's tree and the postmaster's (its own process group). */
function processesOf(instance: TInstance): number[] {
  const pidFile = path.join(instance.dataDir, 'pg', 'postmaster.pid');
  const postmaster = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
  return treeOf([instance.supervisor.pid!, ...(Number.isInteger(postmaster) ? [postmaster] : [])]);
}

let dataDir: string;
let port: number;
let leftovers: number[] = [];

test.beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'pipewright-supervisor-e2e-'));
  chmodSync(dataDir, 0o755); // the embedded server runs as the postgres user when we are root
  port = await freePort();
});
test.afterAll(() => {
  for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

test('SIGKILL to the supervisor: the web server, the worker and PostgreSQL stop by themselves', async () => {
  const instance = await startInstance(dataDir, port);
  const processes = processesOf(instance);
  leftovers = processes;
  // Supervisor, web, worker, postmaster (and its backends), the PostgreSQL watchdog.
  expect(processes.length, instance.output()).toBeGreaterThanOrEqual(5);

  instance.supervisor.kill('SIGKILL');
  await expect
    .poll(() => processes.filter(alive), { timeout: 40_000, intervals: [250], message: instance.output() })
    .toEqual([]);
  // The port is free again and PostgreSQL let go of the data dir: a new start works.
  expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  expect(instance.output()).toMatch(/the supervisor \(pid \d+\) is gone: stopping/);
});

test('SIGTERM to every process at once: everything stops, nothing is started again', async () => {
  const instance = await startInstance(dataDir, port);
  const processes = processesOf(instance);
  leftovers = processes;
  expect(processes.length, instance.output()).toBeGreaterThanOrEqual(5);

  for (const pid of processes) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  await expect
    .poll(() => instance.supervisor.exitCode, { timeout: 90_000, intervals: [250], message: instance.output() })
    .toBe(0);
  // Nothing it started is left, and nothing new came up under it meanwhile.
  await expect
    .poll(() => [...processes, ...processesOf(instance)].filter(alive), {
      timeout: 30_000,
      intervals: [250],
      message: instance.output(),
    })
    .toEqual([]);
  expect(instance.output()).not.toMatch(/started again|starting it again/);
  expect(instance.output()).toContain('[pipewright] stopped');
});
