import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '@/server/db/embedded';
import { until } from '@/test/faults/fault-harness';

/**
 * What ends the supervisor's children when the supervisor dies without its shutdown (SIGKILL):
 * the exit-with-supervisor preload in the web server and the worker, and the watchdog beside
 * the embedded PostgreSQL. Real processes, real signals; e2e/supervisor-exit.spec.ts does the
 * same to `npm start` itself.
 */

const PRELOAD = pathToFileURL(path.resolve('scripts/exit-with-supervisor.mjs')).href;

/** A child as the worker is: on SIGTERM it finishes (writes $DONE_FILE) and exits 0. */
const CHILD = `
  const { writeFileSync } = require('node:fs');
  process.on('SIGTERM', () => { writeFileSync(process.env.DONE_FILE, 'stopped by SIGTERM'); process.exit(0); });
  setInterval(() => {}, 1000);
`;

/** A supervisor as scripts/start.ts starts its children: detached, its pid in PIPEWRIGHT_SUPERVISOR_PID. */
const SUPERVISOR = `
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, ['--import', process.env.PRELOAD, '-e', process.env.CHILD], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, PIPEWRIGHT_SUPERVISOR_PID: String(process.pid) },
  });
  console.log('child ' + child.pid);
  setInterval(() => {}, 1000);
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let dir: string;
const cleanup: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pipewright-exit-with-supervisor-'));
});
afterEach(() => {
  for (const pid of cleanup.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it('a child started with the preload stops through its SIGTERM handler when its supervisor is SIGKILLed', async () => {
  const doneFile = path.join(dir, 'done');
  const supervisor = spawn(process.execPath, ['-e', SUPERVISOR], {
    env: { ...process.env, PRELOAD, CHILD, DONE_FILE: doneFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  supervisor.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const childPid = Number(await until('the child to start', () => /child (\d+)/.exec(output)?.[1] ?? null));
  cleanup.push(childPid, supervisor.pid!);
  // Alive while its supervisor is: the preload must not end a child that still has one.
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  expect(alive(childPid)).toBe(true);
  expect(existsSync(doneFile)).toBe(false);

  supervisor.kill('SIGKILL'); // no shutdown handler runs
  await until('the orphaned child to exit', () => !alive(childPid), { timeoutMs: 5_000 });
  // It went the graceful way (its own SIGTERM handler), not killed.
  expect(readFileSync(doneFile, 'utf8')).toBe('stopped by SIGTERM');
});

it('a child without PIPEWRIGHT_SUPERVISOR_PID is left alone when the process that started it dies', async () => {
  const doneFile = path.join(dir, 'done');
  const supervisor = spawn(process.execPath, ['-e', SUPERVISOR.replace('PIPEWRIGHT_SUPERVISOR_PID', 'UNRELATED')], {
    env: { ...process.env, PRELOAD, CHILD, DONE_FILE: doneFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  supervisor.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const childPid = Number(await until('the child to start', () => /child (\d+)/.exec(output)?.[1] ?? null));
  cleanup.push(childPid, supervisor.pid!);
  supervisor.kill('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // three of the preload's checks
  expect(alive(childPid)).toBe(true);
  expect(existsSync(doneFile)).toBe(false);
});

it('the embedded PostgreSQL stops (fast shutdown) once the process that owns it is gone', async () => {
  chmodSync(dir, 0o755); // the server runs as the postgres user when we are root
  const owner = spawn('sleep', ['600'], { stdio: 'ignore' });
  cleanup.push(owner.pid!);
  const database = await startEmbeddedPostgres({
    databaseDir: path.join(dir, 'pg'),
    password: 'watchdog-password-1234',
    stopWhenGone: owner.pid!,
  });
  const postmaster = Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the watchdog checks once a second
    expect(alive(postmaster)).toBe(true);
    owner.kill('SIGKILL');
    // SIGINT is PostgreSQL's fast shutdown: it exits with code 0, not by a signal.
    expect(await database.exited).toBe('code 0');
    expect(alive(postmaster)).toBe(false);
  } finally {
    await database.stop();
  }
}, 60_000);
