import { rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type TEmbeddedDatabase } from '@/server/db/embedded';

/**
 * One PostgreSQL for the whole vitest run: the one in DATABASE_URL, or an embedded cluster
 * in .test-data (wiped at the start of a run and left after it, so a failed test's
 * database can still be looked at). Each test file creates its own database in it.
 */
let embedded: TEmbeddedDatabase | null = null;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = path.resolve('.test-data');
    rmSync(dir, { recursive: true, force: true });
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
