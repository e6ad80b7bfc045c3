import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WORKER_ENV, WORKER_NODE_FLAGS, buildWorker, workerBundle } from '@/scripts/lib/build-worker';
import { TS_NODE_ARGS } from '@/scripts/lib/node-args';

export type TBenchWorker = {
  child: ChildProcess;
  pid: number;
  output: () => string;
  /** Garbage collections so far, from `--trace-gc-nvp` lines (BENCH_TRACE_GC=1); zeros without it. */
  gc: () => TGcCounts;
  stop: () => Promise<void>;
};

export type TGcCounts = {
  scavenges: number;
  scavengeMs: number;
  /** Bytes allocated between collections, added up: what the process allocated. */
  allocatedBytes: number;
  /** Bytes that survived a scavenge (kept in the young generation or promoted to the old). */
  survivedBytes: number;
  /** Of those, the bytes promoted to the old generation: garbage there waits for a full GC. */
  promotedBytes: number;
  fullGcs: number;
  fullGcMs: number;
};

/** Adds up `--trace-gc-nvp` lines (`… pause=0.3 … gc=s … allocated=4074200 promoted=0 new_space_survived=95848 …`). */
function gcCounter(): { add: (chunk: string) => void; counts: TGcCounts } {
  const counts: TGcCounts = {
    scavenges: 0,
    scavengeMs: 0,
    allocatedBytes: 0,
    survivedBytes: 0,
    promotedBytes: 0,
    fullGcs: 0,
    fullGcMs: 0,
  };
  let partial = '';
  const field = (line: string, name: string) => Number(new RegExp(` ${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
  return {
    counts,
    add(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const kind = / gc=(\w+) /.exec(line)?.[1];
        if (!kind) continue;
        counts.allocatedBytes += field(line, 'allocated');
        counts.survivedBytes += field(line, 'promoted') + field(line, 'new_space_survived');
        counts.promotedBytes += field(line, 'promoted');
        if (kind === 's') {
          counts.scavenges++;
          counts.scavengeMs += field(line, 'pause');
        } else {
          counts.fullGcs++;
          counts.fullGcMs += field(line, 'pause');
        }
      }
    },
  };
}

/** Starts `worker/main.ts` as its own process, as production runs it, and waits until it takes jobs. */
/**
 * BENCH_WORKER_BUNDLE=1: the worker bundle built from the sources as they are, once per bench
 * process, without a Next build (workerBundle() wants one): what `npm start` runs, for the
 * memory figure of a branch that has not been built.
 */
let freshBundle: Promise<string> | null = null;

export async function startBenchWorker(
  url: string,
  env: Record<string, string> = {},
  /**
   * `baseFlags`: Node/V8 flags for a bundle in place of WORKER_NODE_FLAGS (an earlier revision's);
   * `nodeFlags`: more flags after them (a later flag wins).
   */
  options: { bundle?: string; baseFlags?: readonly string[]; nodeFlags?: readonly string[] } = {},
): Promise<TBenchWorker> {
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of the worker there when it stops.
  const profile = [
    // BENCH_CPU_PROF_INTERVAL=µs samples more often than V8's 1 ms (100 sees a durable step's parts).
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ...(process.env.BENCH_CPU_PROF && process.env.BENCH_CPU_PROF_INTERVAL
      ? [`--cpu-prof-interval=${process.env.BENCH_CPU_PROF_INTERVAL}`]
      : []),
    // BENCH_HEAP_PROF=dir: a sampling heap profile of what the worker allocates, garbage
    // included (every 32 KB by default; BENCH_HEAP_PROF_INTERVAL bytes), written there when it stops.
    ...(process.env.BENCH_HEAP_PROF
      ? ['--import', pathToFileURL(path.resolve('bench/lib/heap-profile-preload.mjs')).href]
      : []),
    // BENCH_TRACE_GC=1: a line per garbage collection in the worker's output, added up by gc().
    ...(process.env.BENCH_TRACE_GC ? ['--trace-gc-nvp'] : []),
  ];
  // The bundle `npm start` runs, when one is built (scripts/lib/build-worker.ts); else the sources through tsx.
  const bundle = options.bundle
    ? options.bundle
    : process.env.BENCH_WORKER_BUNDLE
      ? await (freshBundle ??= buildWorker(
          process.cwd(),
          path.join(process.cwd(), '.next', 'bench-worker', 'main.mjs'),
        ))
      : workerBundle();
  const flags = options.nodeFlags ?? [];
  const entry = bundle
    ? [...(options.baseFlags ?? WORKER_NODE_FLAGS), ...flags, bundle]
    : [...TS_NODE_ARGS, ...flags, 'worker/main.ts'];
  const child = spawn(process.execPath, [...profile, ...entry], {
    env: { ...WORKER_ENV, ...process.env, ...env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const gc = gcCounter();
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-100_000);
  };
  child.stdout?.on('data', append);
  child.stdout?.on('data', (chunk: Buffer) => gc.add(chunk.toString('utf8')));
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Generous: on a loaded 2-core machine (other builds beside the bench) tsx's start took over 30 s.
  const deadline = Date.now() + 120_000;
  while (!/ready \(/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`The worker did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    child,
    pid: child.pid ?? -1,
    output: () => output,
    gc: () => ({ ...gc.counts }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident and peak resident memory of a process, in MiB (Linux /proc). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
