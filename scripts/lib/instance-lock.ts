import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '@/server/system/is-process-alive';

export type TLockInfo = { pid: number; url: string; startedAt: string };

/**
 * Takes `<dataDir>/pipewright.lock` for this process. When another live `npm start` holds it,
 * returns that holder instead, so the caller can say so rather than start a second
 * PostgreSQL on the same files. A lock left by a killed process is taken over.
 */
export function acquireInstanceLock(
  dir: string,
  info: TLockInfo,
): { acquired: true; release: () => void } | { acquired: false; holder: TLockInfo } {
  const file = path.join(dir, 'pipewright.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      return { acquired: true, release: () => existsSync(file) && rmSync(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: TLockInfo | null = null;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as TLockInfo;
      } catch {
        holder = null; // a half-written lock from a crash: treat as stale
      }
      if (holder && isProcessAlive(holder.pid)) return { acquired: false, holder };
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take ${file}; remove it if no Pipewright is running.`);
}
