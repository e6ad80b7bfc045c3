import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type TEmbeddedDatabase } from '@/server/db/embedded';
import { isProcessAlive } from '@/server/system/is-process-alive';

/**
 * One PostgreSQL for the whole vitest run: the one in DATABASE_URL, or an embedded cluster
 * in .test-data/run-<pid> (left after the run, so a failed test's database can be looked at).
 * Each test file creates its own database in it. Clusters of earlier runs whose process is
 * gone are removed; a run still going in the same checkout keeps its own.
 */
let embedded: TEmbeddedDatabase | null = null;

function pruneFinishedRuns(root: string): void {
  if (!existsSync(root)) return;
  for (const entry of readdirSync(root)) {
    const pid = Number(/^run-(\d+)$/.exec(entry)?.[1]);
    if (!pid || !isProcessAlive(pid)) rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const root = path.resolve('.test-data');
    pruneFinishedRuns(root);
    embedded = await startEmbeddedPostgres({
      databaseDir: path.join(root, `run-${process.pid}`, 'pg'),
      password: 'pipewright-tests',
      database: 'postgres',
    });
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
