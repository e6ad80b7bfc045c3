/**
 * `node --import tsx bench/designer-open.ts`: how the designer copes with a big workflow.
 * Starts the app the way the e2e config does (scripts/start.ts: embedded PostgreSQL in a
 * fresh temp dir, the production build, built first when stale), imports a 300-step
 * definition nested 5 levels deep, and drives /usr/bin/chromium with Playwright:
 *   1. open: navigation start → all 300 step cards in the DOM (median and max of BENCH_N loads);
 *   2. drag: a mouse drag of a step from one group's pipe into the next group's (30 pointer moves), counting
 *      animation frames while it moves: frames, mean and longest frame gap, and the time
 *      from mouse-up until the moved card is in its new place.
 * Set BENCH_PORT (default 3290) when that port is taken.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { nestedDefinition } from './lib/nested-definition';

const PORT = Number(process.env.BENCH_PORT ?? 3290);
const N = Number(process.env.BENCH_N ?? 5);
const BASE = `http://localhost:${PORT}`;
const ADMIN = { email: 'bench@bench.test', password: 'bench-admin-password-1' };
const TOKEN = 'pw_bench_bootstrap_token_0123456789abcdef';

async function waitForHealth(deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const ok = await fetch(`${BASE}/api/v1/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`the app did not answer on ${BASE} in time`);
}

async function openOnce(page: Page, key: string): Promise<number> {
  await page.goto(`${BASE}/workflows/${key}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="step-card"]').length === 300, null, { timeout: 60_000, polling: 'raf' });
  return page.evaluate(() => performance.now());
}

async function measureDrag(page: Page): Promise<{ frames: number; meanGap: number; maxGap: number; dragMs: number; settleMs: number }> {
  // A leaf of the first group (in b1's then pipe) dragged into the second group's pipe (b31, over s34).
  const handle = page.locator('[data-step-header="s2"] [aria-label^="Drag"]');
  const target = page.locator('[data-step-header="s34"]');
  // Tall enough that both ends are on screen: the measure is the drag, not dnd's auto-scroll.
  await page.setViewportSize({ width: 1440, height: 3200 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const from = (await handle.boundingBox())!;
  const to = (await target.boundingBox())!;
  // A string, not a function: tsx wraps named functions in __name(), which the page lacks.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    const tick = (t) => {
      window.__frames.push(t);
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const start = Date.now();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  // Small first moves, as a hand makes them, so the library starts the drag before it travels.
  for (let i = 1; i <= 4; i++) await page.mouse.move(from.x + from.width / 2 + 2 * i, from.y + from.height / 2 + 2 * i);
  const steps = 30;
  for (let i = 1; i <= steps; i++) await page.mouse.move(from.x + from.width / 2, from.y + ((to.y + to.height / 2 - from.y) * i) / steps);
  // The cards close up where the step left, so the target moves: follow it, as a hand does
  // (the drop lands in the pipe under the pointer).
  let at = { x: from.x + from.width / 2, y: to.y + to.height / 2 };
  for (let round = 0; round < 4; round++) {
    const box = await target.boundingBox();
    if (!box) break; // mid-animation the card can be briefly unmeasurable; drop where the pointer is
    const aim = { x: box.x + Math.min(40, box.width / 2), y: box.y + Math.min(box.height / 2, 12) };
    if (Math.abs(aim.x - at.x) < 2 && Math.abs(aim.y - at.y) < 2) break;
    for (let i = 1; i <= 5; i++) await page.mouse.move(at.x + ((aim.x - at.x) * i) / 5, at.y + ((aim.y - at.y) * i) / 5);
    at = aim;
  }
  const dragMs = Date.now() - start;
  const up = Date.now();
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('[data-step-id="s2"]')?.closest('[data-pipe-id]')?.getAttribute('data-pipe-id') === 'b31/then', null, { timeout: 10_000 });
  const settleMs = Date.now() - up;
  const frames = await page.evaluate<number[]>(`(() => {
    window.__stop = true;
    return window.__frames;
  })()`);
  const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
  return { frames: frames.length, meanGap: gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length), maxGap: Math.max(...gaps), dragMs, settleMs };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-designer-bench-'));
  chmodSync(dir, 0o755); // embedded PostgreSQL may run initdb as another user (as bench/run.ts does)
  const app = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PORT: String(PORT), PIPEWRIGHT_DATA_DIR: dir, PIPEWRIGHT_ADMIN_EMAIL: ADMIN.email, PIPEWRIGHT_ADMIN_PASSWORD: ADMIN.password, PIPEWRIGHT_BOOTSTRAP_TOKEN: TOKEN, NEXTAUTH_URL: BASE },
  });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
  try {
    await waitForHealth(Date.now() + 900_000);
    const key = `bench-${Date.now().toString(36)}`;
    const imported = await fetch(`${BASE}/api/v1/workflows/import`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(nestedDefinition(key)) });
    if (!imported.ok) throw new Error(`import answered ${imported.status}: ${await imported.text()}`);
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await page.goto(`${BASE}/sign-in`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await openOnce(page, key); // warm-up: compiles nothing (production build) but fills the HTTP caches
    const opens: number[] = [];
    for (let i = 0; i < N; i++) opens.push(await openOnce(page, key));
    opens.sort((a, b) => a - b);
    console.log(`designer open, 300 steps / 5 levels   n=${N}  median=${opens[Math.floor(N / 2)]!.toFixed(0)} ms  max=${opens.at(-1)!.toFixed(0)} ms  (navigation start → 300 cards in the DOM)`);
    const drag = await measureDrag(page);
    console.log(`drag of a step into another pipe      ${drag.frames} frames in ${drag.dragMs} ms  mean frame gap=${drag.meanGap.toFixed(1)} ms  longest=${drag.maxGap.toFixed(1)} ms  drop → moved in DOM=${drag.settleMs} ms`);
  } finally {
    await browser.close();
    if (app.pid) process.kill(-app.pid, 'SIGTERM');
    await new Promise((resolve) => app.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
