// Loaded with NODE_OPTIONS="--expose-gc --import …" by the runtime bench's memory section: on
// SIGUSR2 this process writes its memory (process.memoryUsage() and V8's heap spaces, before and
// after a full garbage collection) as JSON to BENCH_MEMORY_REPORT_FILE, so the bench can tell
// memory the worker holds from garbage it has not collected yet and from native memory.
// A file, not a line on stdout: the bench keeps only the tail of a worker's output, and under
// load the worker's own log lines pushed a stdout answer out of the window it searched, so the
// report went unanswered (bench/lib/memory-report.ts).
// It also samples the process every 50 ms and reports the reading with the highest RSS since the
// last report (`peak`): what the peak RSS was made of (JS heap reserved and used, outside it).
import { renameSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { setInterval } from 'node:timers';
import v8 from 'node:v8';

const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;

function snapshot() {
  const usage = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_used_size)]));
  return {
    rss: mb(usage.rss),
    heapTotal: mb(usage.heapTotal),
    heapUsed: mb(usage.heapUsed),
    external: mb(usage.external),
    arrayBuffers: mb(usage.arrayBuffers),
    spaces,
  };
}

let peak = snapshot();
setInterval(() => {
  if (process.memoryUsage.rss() > peak.rss * 1048576) peak = snapshot();
}, 50).unref();

const file = process.env.BENCH_MEMORY_REPORT_FILE;
process.on('SIGUSR2', () => {
  const before = snapshot();
  globalThis.gc?.();
  const after = snapshot();
  const report = JSON.stringify({ before, after, peak, gc: typeof globalThis.gc === 'function' });
  peak = after;
  if (!file) {
    process.stdout.write(`memory-report ${report}\n`);
    return;
  }
  // Written whole, then renamed: the reader never sees half a report.
  writeFileSync(`${file}.tmp`, report);
  renameSync(`${file}.tmp`, file);
});
