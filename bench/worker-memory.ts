/**
 * Section 6 of the runtime bench: a fresh worker, as `npm start` runs it (the esbuild bundle,
 * WORKER_NODE_FLAGS, WORKER_ENV), takes 10,000 runs to an event wait; its RSS idle, with them
 * waiting, and its peak, with the JS heap before and after a full GC (memory-report-preload.mjs)
 * and what the heap and the memory outside it were at the peak's sample.
 * BENCH_MEMORY_BEFORE=<git rev>[,<git rev>…] (BENCH_MEMORY_BASELINE, its older name) also measures
 * the worker of each rev, bundled from `git archive` with this tree's migrations (an old worker
 * refuses a database migrated past what it knows), against the same database; with
 * BENCH_MEMORY_ROUNDS=n each round measures every worker, in the reverse order of the round
 * before, so neither the database growing by 10,000 runs a measurement nor the machine's load
 * lands on one side. The summary gives each worker's figures per round and their medians.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Db } from '@/server/db/database';
import { WORKER_NODE_FLAGS, buildWorker } from '@/scripts/lib/build-worker';
import { figureRow } from '@/bench/lib/stats';
import { requestMemoryReport } from '@/bench/lib/memory-report';
import { memoryOf, startBenchWorker } from '@/bench/lib/worker-process';
import { processTreeCpuMs } from '@/bench/lib/process-cpu';
import { bundleWorkerOf, gitRev } from '@/bench/durable-worker';

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

/**
 * `slug`: the measured workflow's key part (lowercase letters, digits, "-"); `baseFlags`: the
 * flags in place of this tree's WORKER_NODE_FLAGS; `nodeFlags`: more V8 flags after them.
 */
type TMeasuredWorker = { label: string; slug: string; bundle: string; baseFlags?: string[]; nodeFlags?: string[] };

type TMemoryResult = {
  idleMb: number;
  /** Peak RSS at the idle reading: start-up's own peak (migrations, loading the bundle). */
  idlePeakMb: number;
  waitingMb: number;
  peakMb: number;
  seconds: number;
  /** CPU ms (user + system) of the worker process per run taken to its wait. */
  cpuMsPerRun: number;
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

async function measureWorker(
  host: TMemoryBenchHost,
  { label, slug, bundle, baseFlags, nodeFlags }: TMeasuredWorker,
  round: number,
  runs: number,
): Promise<TMemoryResult> {
  const preload = pathToFileURL(path.resolve('bench/lib/memory-report-preload.mjs')).href;
  const reportFile = path.join(mkdtempSync(path.join(tmpdir(), 'pipewright-bench-memory-')), 'report.json');
  const key = `bench-memory-${slug}-${round}`;
  await host.publishAwait(key);
  const worker = await startBenchWorker(
    host.url,
    { NODE_OPTIONS: `--expose-gc --import ${preload}`, BENCH_MEMORY_REPORT_FILE: reportFile },
    { bundle, baseFlags, nodeFlags },
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let start-up allocation settle before the idle reading
    const idle = memoryOf(worker.pid);
    const idleReport = await requestMemoryReport({ child: worker.child, file: reportFile });
    const cpuBefore = processTreeCpuMs(worker.pid);
    const gcBefore = worker.gc();
    const started = performance.now();
    await host.startMany(key, runs, (i) => ({ k: `${slug}${round}-${i}` }));
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
    const cpuMsPerRun = (processTreeCpuMs(worker.pid) - cpuBefore) / runs;
    const loaded = memoryOf(worker.pid);
    const gc = worker.gc();
    // What the RSS is made of: the JS heap the worker still holds (after a full GC), garbage
    // not yet collected, and memory outside the heap.
    const { before, after, peak } = await requestMemoryReport({ child: worker.child, file: reportFile });
    console.log(`  ${label}, round ${round + 1}:`);
    console.log(
      figureRow('    idle worker RSS (peak so far)', `${idle.rssMb.toFixed(0)} (${idle.peakMb.toFixed(0)}) MB`),
    );
    console.log(
      figureRow(
        '    idle JS heap used: before / after a full GC',
        `${idleReport.before.heapUsed} / ${idleReport.after.heapUsed} MB`,
      ),
    );
    console.log(figureRow(`    worker RSS, ${runs} runs WAITING`, `${loaded.rssMb.toFixed(0)} MB`, '≤ 120 MB'));
    console.log(figureRow('    worker peak RSS while taking them there', `${loaded.peakMb.toFixed(0)} MB`));
    console.log(
      figureRow(
        '    at the highest sample: RSS / heap reserved / used / outside',
        `${peak.rss} / ${peak.heapTotal} / ${peak.heapUsed} / ${peak.external} MB`,
      ),
    );
    console.log(figureRow('    heap spaces at that sample (MB)', JSON.stringify(peak.spaces)));
    console.log(
      figureRow(
        `    ${runs} starts + advances to the wait; worker CPU per run`,
        `${seconds.toFixed(1)} s; ${cpuMsPerRun.toFixed(2)} ms`,
      ),
    );
    if (process.env.BENCH_TRACE_GC)
      console.log(
        figureRow(
          '    scavenges / full GCs (their pauses, ms); KB promoted per run',
          `${gc.scavenges - gcBefore.scavenges} / ${gc.fullGcs - gcBefore.fullGcs} (${(gc.scavengeMs - gcBefore.scavengeMs).toFixed(0)} / ${(gc.fullGcMs - gcBefore.fullGcMs).toFixed(0)}); ${((gc.promotedBytes - gcBefore.promotedBytes) / 1024 / runs).toFixed(1)}`,
        ),
      );
    console.log(figureRow('    JS heap used: before / after a full GC', `${before.heapUsed} / ${after.heapUsed} MB`));
    console.log(figureRow('    JS heap reserved: before / after', `${before.heapTotal} / ${after.heapTotal} MB`));
    console.log(
      figureRow('    outside the heap (external, array buffers)', `${after.external} / ${after.arrayBuffers} MB`),
    );
    console.log(figureRow('    RSS after the GC', `${after.rss} MB`, '≤ 120 MB'));
    console.log(figureRow('    heap spaces after the GC (MB)', JSON.stringify(after.spaces)));
    return {
      idleMb: idle.rssMb,
      idlePeakMb: idle.peakMb,
      waitingMb: loaded.rssMb,
      peakMb: loaded.peakMb,
      seconds,
      cpuMsPerRun,
    };
  } finally {
    await worker.stop();
  }
}

/**
 * The V8 flags `rev` started its worker with (its WORKER_NODE_FLAGS), in place of this tree's:
 * how a worker is started is part of what a before and after compare.
 */
function workerFlagsOf(rev: string): Pick<TMeasuredWorker, 'baseFlags'> {
  const source = execFileSync('git', ['show', `${rev}:scripts/lib/build-worker.ts`], { encoding: 'utf8' });
  const list = /WORKER_NODE_FLAGS = \[([^\]]*)\]/.exec(source)?.[1];
  if (list === undefined) throw new Error(`bench: no WORKER_NODE_FLAGS in ${rev}'s scripts/lib/build-worker.ts`);
  return { baseFlags: [...list.matchAll(/'([^']*)'/g)].map((match) => match[1]!) };
}

/** The worker of each BENCH_MEMORY_BEFORE rev, each bundle in a directory of its own. */
async function beforeWorkers(): Promise<TMeasuredWorker[]> {
  const revs = (process.env.BENCH_MEMORY_BEFORE ?? process.env.BENCH_MEMORY_BASELINE ?? '').split(',').filter(Boolean);
  const workers: TMeasuredWorker[] = [];
  for (const [i, rev] of revs.entries()) {
    const built = await bundleWorkerOf(rev);
    // Beside the one bundleWorkerOf writes (inside .next, so package imports resolve to our node_modules).
    const dir = path.resolve('.next', `bench-worker-memory-${i}`);
    rmSync(dir, { recursive: true, force: true });
    cpSync(path.dirname(built), dir, { recursive: true });
    workers.push({
      label: `${rev} (${gitRev(rev)})`,
      slug: `before-${i}`,
      bundle: path.join(dir, path.basename(built)),
      ...workerFlagsOf(rev),
    });
  }
  return workers;
}

/** BENCH_MEMORY_FLAGS='<slug>=<flag> <flag>;…': `thisTree` again, with more V8 flags each. */
function flagVariants(thisTree: TMeasuredWorker): TMeasuredWorker[] {
  return (process.env.BENCH_MEMORY_FLAGS ?? '')
    .split(';')
    .filter(Boolean)
    .map((variant) => {
      const at = variant.indexOf('=');
      const flags = variant
        .slice(at + 1)
        .split(' ')
        .filter(Boolean);
      return { ...thisTree, label: `this-tree ${flags.join(' ')}`, slug: variant.slice(0, at), nodeFlags: flags };
    });
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The summary's rows: name, figure of one measurement, digits, unit. */
const SUMMARY_ROWS: Array<[string, (r: TMemoryResult, runs: number) => number, number, string]> = [
  ['idle RSS', (r) => r.idleMb, 0, 'MB'],
  ['peak RSS at the idle reading (start-up)', (r) => r.idlePeakMb, 0, 'MB'],
  ['RSS, the runs WAITING', (r) => r.waitingMb, 0, 'MB'],
  ['peak RSS while taking them', (r) => r.peakMb, 0, 'MB'],
  ['runs/s to the wait', (r, runs) => runs / r.seconds, 0, ''],
  ['worker CPU per run', (r) => r.cpuMsPerRun, 2, 'ms'],
];

function printSummary(workers: readonly TMeasuredWorker[], results: Map<string, TMemoryResult[]>, runs: number) {
  console.log(`  summary, each worker's rounds in order (median last):`);
  for (const { label } of workers) {
    const rounds = results.get(label) ?? [];
    console.log(`  ${label}:`);
    for (const [name, figure, digits, unit] of SUMMARY_ROWS) {
      const values = rounds.map((r) => figure(r, runs));
      const text = `${values.map((v) => v.toFixed(digits)).join(' ')}  (${median(values).toFixed(digits)}) ${unit}`;
      console.log(figureRow(`    ${name}`, text));
    }
  }
}

/** Runs section 6; BENCH_MEMORY_RUNS sets fewer runs for a quick look (the figure is 10,000). */
export async function workerMemoryBenchmarks(host: TMemoryBenchHost): Promise<void> {
  const runs = Number(process.env.BENCH_MEMORY_RUNS ?? 10_000);
  const rounds = Number(process.env.BENCH_MEMORY_ROUNDS ?? 1);
  console.log(`\n6. Worker memory with ${runs} runs waiting on events`);
  // Always the bundle `npm start` runs, built from the sources as they are: through tsx (which a
  // bench falls back to when the last build is stale) the same worker holds ~50 MB more, and a
  // morning's figure from a current build looked like a regression beside an afternoon's from tsx.
  const thisTree: TMeasuredWorker = {
    label: 'this-tree',
    slug: 'this-tree',
    bundle: await buildWorker(process.cwd(), path.join(process.cwd(), '.next', 'bench-worker', 'main.mjs')),
  };
  const workers = [...(await beforeWorkers()), thisTree, ...flagVariants(thisTree)];
  console.log('  (each worker bundled, as npm start runs it)');
  for (const { label, baseFlags = WORKER_NODE_FLAGS, nodeFlags = [] } of workers)
    console.log(`  ${label}: node ${[...baseFlags, ...nodeFlags].join(' ')}`);
  const results = new Map<string, TMemoryResult[]>();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? workers : [...workers].reverse();
    console.log(`  round ${round + 1} (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ', 3).join(' ')})`);
    for (const worker of order)
      results.set(worker.label, [...(results.get(worker.label) ?? []), await measureWorker(host, worker, round, runs)]);
  }
  if (workers.length > 1 || rounds > 1) printSummary(workers, results, runs);
}
