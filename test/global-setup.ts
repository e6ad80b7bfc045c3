import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type TEmbeddedDatabase } from '@/server/db/embedded';

/**
 * One PostgreSQL for the whole vitest run: the one in DATABASE_URL, or an embedded cluster
 * in .test-data/run-<pid> (left after the run, so a failed test's database can still be
 * looked at). Each test file creates its own database in it.
 *
 * Several people may run vitest in the same checkout at once, so each run has a directory of
 * its own, and a run only wipes directories of runs whose process has ended; wiping one
 * shared directory pulled the cluster out from under a run already in progress.
 */
let embedded: TEmbeddedDatabase | null = null;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes clusters of finished runs, stopping a postgres a killed run left behind. */
function removeFinishedRuns(root: string): void {
  for (const entry of readdirSync(root)) {
    const owner = /^run-(\d+)$/.exec(entry);
    if (owner && alive(Number(owner[1]))) continue;
    const pidFile = path.join(root, entry, 'pg', 'postmaster.pid');
    const postmaster = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
    if (postmaster > 0 && alive(postmaster)) process.kill(postmaster, 'SIGINT');
    rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const root = path.resolve('.test-data');
    mkdirSync(root, { recursive: true });
    removeFinishedRuns(root);
    const dir = path.join(root, `run-${process.pid}`);
    embedded = await startEmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), password: 'pipewright-tests', database: 'postgres' });
    adminUrl = embedded.url;
  }
  project.provide('adminDatabaseUrl', adminUrl);
  return async () => {
    await embedded?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}
