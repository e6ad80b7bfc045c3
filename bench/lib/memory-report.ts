import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

export type TMemorySnapshot = {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  spaces: Record<string, number>;
};
/** `peak`: the sample with the highest RSS since the previous report (every 50 ms). */
export type TMemoryReport = { before: TMemorySnapshot; after: TMemorySnapshot; peak: TMemorySnapshot; gc: boolean };

/**
 * Asks a worker started with memory-report-preload.mjs (and BENCH_MEMORY_REPORT_FILE=`file`) for
 * its memory before and after a full GC, and waits for the file. A worker that does not answer
 * in `timeoutMs` is reported as what it is: gone (with its exit), or alive with a blocked event
 * loop or without the preload.
 */
export async function requestMemoryReport({
  child,
  file,
  timeoutMs = 30_000,
}: {
  child: ChildProcess;
  file: string;
  timeoutMs?: number;
}): Promise<TMemoryReport> {
  rmSync(file, { force: true });
  if (child.exitCode !== null || child.signalCode !== null)
    throw new Error(`bench: the worker exited (${child.exitCode ?? child.signalCode}) before its memory report`);
  child.kill('SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `bench: the worker exited (${child.exitCode ?? child.signalCode}) instead of reporting its memory`,
      );
    if (Date.now() > deadline)
      throw new Error(
        `bench: the worker (pid ${child.pid}) is alive but wrote no memory report to ${file} within ${timeoutMs / 1000} s ` +
          '(event loop blocked, or started without memory-report-preload.mjs)',
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as TMemoryReport;
  if (!report.gc) throw new Error('bench: the worker ran without --expose-gc; its "after a full GC" figures are not');
  return report;
}
