/**
 * Section 6 of the runtime bench: a fresh worker, as `npm start` runs it (the esbuild bundle,
 * WORKER_NODE_FLAGS, WORKER_ENV), takes 10,000 runs to an event wait; its RSS idle, with them
 * waiting, and its peak, with the JS heap before and after a full GC (memory-report-preload.mjs).
 * BENCH_MEMORY_BASELINE=<git ref> measures the worker built from that ref first, in the same run
 * against the same database, so before and after are side by side.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Db } from '@/server/db/database';
import { buildWorker } from '@/scripts/lib/build-worker';
import { figureRow } from '@/bench/lib/stats';
import { requestMemoryReport } from '@/bench/lib/memory-report';
import { memoryOf, startBenchWorker } from '@/bench/lib/worker-process';

/** The worker bundle as `ref` had it: its sources built with today's build script. */
async function buildBaselineWorker(ref: string): Promise<string> {
  const root = process.cwd();
  // Outside the tree (typecheck and lint must not see it), with the packages linked in.
  const src = mkdtempSync(path.join(tmpdir(), 'pipewright-bench-baseline-'));
  execFileSync('sh', ['-c', `git archive "$0" | tar -x -C "$1"`, ref, src], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  symlinkSync(path.join(root, 'node_modules'), path.join(src, 'node_modules'));
  // Beside the app's own node_modules, so the bundle's package imports resolve as they do for `npm start`.
  const outDir = path.join(root, '.next', 'bench-baseline');
  mkdirSync(outDir, { recursive: true });
  const bundle = await buildWorker(src, path.join(outDir, 'main.mjs'));
  rmSync(src, { recursive: true, force: true });
  return bundle;
}

type TMemoryBenchHost = {
  db: Db;
  url: string;
  /** Starts `n` runs of `workflowKey`, 16 at a time. */
  startMany: (workflowKey: string, n: number, input: (i: number) => unknown) => Promise<unknown>;
  /** Publishes a workflow whose runs wait for an event (a fresh key per measured worker). */
  publishAwait: (key: string) => Promise<void>;
  pollUntil: (
    what: string,
    check: () => Promise<boolean>,
    timeoutMs: number,
    describe: () => Promise<string>,
  ) => Promise<void>;
};

async function countByStatus(db: Db, workflowKey: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('runs')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('workflow_key', '=', workflowKey)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
}

async function measureWorker(host: TMemoryBenchHost, label: string, bundle: string | undefined, runs: number) {
  const preload = pathToFileURL(path.resolve('bench/lib/memory-report-preload.mjs')).href;
  const reportFile = path.join(mkdtempSync(path.join(tmpdir(), 'pipewright-bench-memory-')), 'report.json');
  const key = `bench-memory-${label}`;
  await host.publishAwait(key);
  const worker = await startBenchWorker(
    host.url,
    { NODE_OPTIONS: `--expose-gc --import ${preload}`, BENCH_MEMORY_REPORT_FILE: reportFile },
    { bundle },
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let start-up allocation settle before the idle reading
    const idle = memoryOf(worker.pid);
    const idleReport = await requestMemoryReport({ child: worker.child, file: reportFile });
    const started = performance.now();
    await host.startMany(key, runs, (i) => ({ k: `${label}${i}` }));
    await host.pollUntil(
      `${runs} runs to wait`,
      async () => {
        // A worker that died leaves the runs where they are: say so instead of timing out.
        if (worker.child.exitCode !== null || worker.child.signalCode !== null)
          throw new Error(`bench: the worker exited while taking the runs:\n${worker.output().slice(-4000)}`);
        return ((await countByStatus(host.db, key)).WAITING ?? 0) === runs;
      },
      1_800_000,
      async () =>
        `runs by status ${JSON.stringify(await countByStatus(host.db, key))}; worker output:\n${worker.output().slice(-4000)}`,
    );
    const seconds = (performance.now() - started) / 1000;
    const loaded = memoryOf(worker.pid);
    // What the RSS is made of: the JS heap the worker still holds (after a full GC), garbage
    // not yet collected, and memory outside the heap.
    const { before, after } = await requestMemoryReport({ child: worker.child, file: reportFile });
    console.log(`  ${label}:`);
    console.log(figureRow('    idle worker RSS', `${idle.rssMb.toFixed(0)} MB`));
    console.log(
      figureRow(
        '    idle JS heap used: before / after a full GC',
        `${idleReport.before.heapUsed} / ${idleReport.after.heapUsed} MB`,
      ),
    );
    console.log(figureRow(`    worker RSS, ${runs} runs WAITING`, `${loaded.rssMb.toFixed(0)} MB`, '≤ 120 MB'));
    console.log(figureRow('    worker peak RSS while taking them there', `${loaded.peakMb.toFixed(0)} MB`));
    console.log(figureRow(`    ${runs} starts + advances to the wait`, `${seconds.toFixed(1)} s`));
    console.log(figureRow('    JS heap used: before / after a full GC', `${before.heapUsed} / ${after.heapUsed} MB`));
    console.log(figureRow('    JS heap reserved: before / after', `${before.heapTotal} / ${after.heapTotal} MB`));
    console.log(
      figureRow('    outside the heap (external, array buffers)', `${after.external} / ${after.arrayBuffers} MB`),
    );
    console.log(figureRow('    RSS after the GC', `${after.rss} MB`, '≤ 120 MB'));
    console.log(figureRow('    heap spaces after the GC (MB)', JSON.stringify(after.spaces)));
  } finally {
    await worker.stop();
  }
}

/** Runs section 6; BENCH_MEMORY_RUNS sets fewer runs for a quick look (the figure is 10,000). */
export async function workerMemoryBenchmarks(host: TMemoryBenchHost): Promise<void> {
  const runs = Number(process.env.BENCH_MEMORY_RUNS ?? 10_000);
  console.log(`\n6. Worker memory with ${runs} runs waiting on events`);
  const baselineRef = process.env.BENCH_MEMORY_BASELINE;
  if (baselineRef) await measureWorker(host, `baseline-${baselineRef}`, await buildBaselineWorker(baselineRef), runs);
  // Always the bundle `npm start` runs, built from the sources as they are: through tsx (which a
  // bench falls back to when the last build is stale) the same worker holds ~50 MB more, and a
  // morning's figure from a current build looked like a regression beside an afternoon's from tsx.
  const bundle = await buildWorker(process.cwd(), path.join(process.cwd(), '.next', 'bench-worker', 'main.mjs'));
  console.log('  (each worker bundled, as npm start runs it)');
  await measureWorker(host, 'this-tree', bundle, runs);
}
