/**
 * Screenshots of the Runs page and the Overview over the runs-list benchmark's seeded data
 * (BENCH_LIST_DATA_DIR, made by section D of bench/http.ts), at 1440 and 390 px wide, each
 * checked for horizontal scrolling. `node --conditions=react-server --import tsx
 * bench/runs-list-screenshots.ts [out dir]` (default test-results/screenshots).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { startBenchApp } from '@/bench/lib/app-process';
import { keptListData } from '@/bench/runs-list-data-dir';

async function main(): Promise<void> {
  const root = process.env.BENCH_LIST_DATA_DIR;
  if (!root) throw new Error('Set BENCH_LIST_DATA_DIR to the directory section D seeded.');
  const kept = keptListData(root, Number(process.env.BENCH_LIST_RUNS ?? 100_000));
  if (!kept.seeded) throw new Error(`No seeded data in ${kept.dataDir}: run section D first.`);
  const out = path.resolve(process.argv[2] ?? 'test-results/screenshots');
  mkdirSync(out, { recursive: true });
  const app = await startBenchApp({ dataDir: kept.dataDir });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, baseURL: app.baseUrl });
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill('admin@pipewright.local');
    await page.getByLabel('Password').fill('bench-admin-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    for (const [name, url, ready] of [
      ['runs', '/runs', 'Older runs'],
      ['overview', '/overview', 'Slowest workflows (7 days, succeeded runs)'],
    ] as const) {
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(url);
        await page.getByText(ready).first().waitFor();
        // Recharts grows its bars for a second or so after load: shoot once the chart stops changing.
        if (name === 'overview') await page.locator('.recharts-bar-rectangle path').first().waitFor();
        let chart = '';
        for (let same = 0; same < 3;) {
          await page.waitForTimeout(200);
          const now = await page.evaluate(() => document.querySelector('.recharts-wrapper')?.innerHTML ?? '');
          same = now === chart ? same + 1 : 0;
          chart = now;
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        const file = path.join(out, `runs-list-100k-${name}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.log(`${file}${overflow > 0 ? `  SCROLLS SIDEWAYS by ${overflow} px` : ''}`);
        if (overflow > 0) process.exitCode = 1;
      }
    }
  } finally {
    await browser.close();
    await app.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
