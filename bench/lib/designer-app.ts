/**
 * The app the designer bench drives (bench/designer-open.ts): started as `npm start` starts it
 * (bench/lib/app-process.ts), from this tree or a built earlier checkout, on a fixed port (the
 * address the browser signs in at), waited for, signed into, and given the bench's workflows
 * through the import API.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { BENCH_TOKEN, startBenchApp } from '@/bench/lib/app-process';

const ADMIN = { email: 'bench@bench.test', password: 'bench-admin-password-1' };

export type TDesignerApp = { base: string; stop: () => Promise<void> };

/**
 * The app of checkout `root` on `port`, in a fresh data directory, once it answers its health
 * check (a production build on a busy machine takes minutes). An app that exits first fails
 * at once, with the end of its output.
 */
export async function startDesignerApp(root: string, port: number): Promise<TDesignerApp> {
  const base = `http://localhost:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pw-designer-bench-'));
  chmodSync(dataDir, 0o755); // embedded PostgreSQL may run initdb as another user (as bench/run.ts does)
  const app = await startBenchApp({ dataDir, root, port, env: { PIPEWRIGHT_ADMIN_EMAIL: ADMIN.email } });
  const stop = async () => {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 900_000;
  while (Date.now() < deadline) {
    if (!app.running()) {
      await stop();
      throw new Error(`the app exited before it answered:\n${app.output().slice(-4000)}`);
    }
    const ok = await fetch(`${base}/api/v1/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return { base, stop };
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  await stop();
  throw new Error(`the app did not answer on ${base} in time`);
}

/** Imports one workflow definition (a draft) through the API of the app at `base`. */
export async function importDefinition(base: string, definition: unknown): Promise<void> {
  const imported = await fetch(`${base}/api/v1/workflows/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(definition),
  });
  if (!imported.ok) throw new Error(`import answered ${imported.status}: ${await imported.text()}`);
}

/** Signs the bench's admin in, in a browser context of its own (each app its own cookies). */
export async function signedInPage(browser: Browser, base: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}
