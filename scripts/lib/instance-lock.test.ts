import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock, type TLockInfo } from '@/scripts/lib/instance-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pipewright-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lockFile = () => path.join(dir, 'pipewright.lock');
const info = (pid: number): TLockInfo => ({ pid, url: 'http://localhost:3000', startedAt: new Date().toISOString() });

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.status).toBe(0);
  return child.pid!;
}

describe('the instance lock of a data dir', () => {
  it('is taken by the first start, with its pid and URL in a file only its owner can read', () => {
    const lock = acquireInstanceLock(dir, info(process.pid));
    expect(lock.acquired).toBe(true);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({
      pid: process.pid,
      url: 'http://localhost:3000',
    });
    expect(statSync(lockFile()).mode & 0o777).toBe(0o600);
  });

  it('refuses a second start while the holder is alive, and names the holder', () => {
    const first = acquireInstanceLock(dir, info(process.pid));
    expect(first.acquired).toBe(true);
    const second = acquireInstanceLock(dir, info(process.pid + 1));
    expect(second).toEqual({ acquired: false, holder: expect.objectContaining({ pid: process.pid }) });
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).toBe(process.pid);
  });

  it('takes over a lock whose holder has died', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    writeFileSync(lockFile(), JSON.stringify(info(holder.pid!)));
    expect(acquireInstanceLock(dir, info(process.pid)).acquired).toBe(false);
    holder.kill('SIGKILL');
    await exited;
    const lock = acquireInstanceLock(dir, info(process.pid));
    expect(lock.acquired).toBe(true);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).toBe(process.pid);
  });

  it('takes over a lock left by a process that no longer exists, or half-written by a crash', () => {
    writeFileSync(lockFile(), JSON.stringify(info(deadPid())));
    expect(acquireInstanceLock(dir, info(process.pid)).acquired).toBe(true);
    rmSync(lockFile());
    writeFileSync(lockFile(), '{"pid": 12');
    expect(acquireInstanceLock(dir, info(process.pid)).acquired).toBe(true);
  });

  it('is removed on release, so the next start takes it', () => {
    const lock = acquireInstanceLock(dir, info(process.pid));
    if (!lock.acquired) throw new Error('expected to acquire the lock');
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
    expect(acquireInstanceLock(dir, info(process.pid)).acquired).toBe(true);
  });
});
