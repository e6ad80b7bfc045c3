/**
 * `node --conditions=react-server --import tsx bench/version-page.ts`: the version page of a
 * 300-step workflow (the designer bench's, nested 5 deep), whose render waits for the problem
 * check before its first byte: the web process's time per page (from the request to the
 * response's last byte, bench/lib/server-time.ts) and its CPU per page. The app of this tree,
 * and with BENCH_BEFORE_ROOT=/path the app of that checkout (e.g. main from `git archive`, with
 * `cp -al` of these node_modules: Turbopack refuses a node_modules symlinked from outside the
 * checkout) beside it, page by page alternated. Each app is started as
 * `npm start` starts it (a production build when its own is not current). BENCH_N pages each
 * (default 15), after one first page (the check's caches empty) printed on its own.
 */
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startBenchApp, type TBenchApp } from '@/bench/lib/app-process';
import { importDefinition } from '@/bench/lib/designer-app';
import { nestedDefinition } from '@/bench/lib/nested-definition';
import { getPage, signIn } from '@/bench/lib/page-session';
import { appCpuTimes } from '@/bench/lib/process-cpu';
import { SERVER_TIME_HEADER, takeServerTimes } from '@/bench/lib/server-time';
import { figureRow, percentiles } from '@/bench/lib/stats';

const N = Number(process.env.BENCH_N ?? 15);
const KEY = 'bench-nested-300';
const PAGE = `/workflows/${KEY}/versions/1`;

type TPageApp = { name: string; app: TBenchApp; cookie: string; dataDir: string };

async function startPageApp(name: string, root: string): Promise<TPageApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `pw-version-page-${name}-`));
  chmodSync(dataDir, 0o755); // embedded PostgreSQL may run initdb as another user
  const app = await startBenchApp({ dataDir, root });
  const deadline = Date.now() + 900_000; // a production build on a busy machine takes minutes
  for (;;) {
    if (!app.running()) throw new Error(`${name}: the app exited:\n${app.output().slice(-4000)}`);
    const ok = await fetch(`${app.baseUrl}/api/v1/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${name}: the app did not answer in time`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  await importDefinition(app.baseUrl, nestedDefinition(KEY));
  return { name, app, cookie: await signIn(app.baseUrl), dataDir };
}

/** One page load: the web process's ms for it. */
async function loadPage({ app, cookie }: TPageApp): Promise<number> {
  const page = await getPage(app.baseUrl, PAGE, cookie, SERVER_TIME_HEADER);
  if (page.status !== 200) throw new Error(`${PAGE} answered ${page.status}`);
  const [time] = await takeServerTimes(app.serverTimingFile, 1);
  return time!.ms;
}

async function main(): Promise<void> {
  const apps: TPageApp[] = [];
  try {
    if (process.env.BENCH_BEFORE_ROOT) apps.push(await startPageApp('before', process.env.BENCH_BEFORE_ROOT));
    apps.push(await startPageApp('now', process.cwd()));
    console.log(`\nVersion page of a 300-step workflow, server time per page (load ${loadavg()[0]!.toFixed(1)})`);
    for (const app of apps) console.log(figureRow(`${app.name}: first page`, `${(await loadPage(app)).toFixed(0)} ms`));
    const samples = new Map<string, number[]>(apps.map((app) => [app.name, []]));
    const cpu = new Map(apps.map((app) => [app.name, 0]));
    for (let round = 0; round < N; round++)
      for (const app of apps) {
        const start = appCpuTimes(app.app.pid).web;
        samples.get(app.name)!.push(await loadPage(app));
        cpu.set(app.name, cpu.get(app.name)! + appCpuTimes(app.app.pid).web - start);
      }
    for (const app of apps) {
      const stats = percentiles(samples.get(app.name)!);
      console.log(
        figureRow(
          `${app.name}: p50 / max ms; web CPU ms per page`,
          `${stats.p50.toFixed(0)} / ${stats.max.toFixed(0)}; ${(cpu.get(app.name)! / N).toFixed(0)}`,
        ),
      );
    }
    console.log(`  (load ${loadavg()[0]!.toFixed(1)} at the end)`);
  } finally {
    for (const app of apps) {
      await app.app.stop();
      rmSync(app.dataDir, { recursive: true, force: true });
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
