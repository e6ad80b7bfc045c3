// Loaded with NODE_OPTIONS="--expose-gc --import …" by the runtime bench's memory section: on
// SIGUSR2 this process prints one line `memory-report {json}` with process.memoryUsage() and
// V8's heap spaces, before and after a full garbage collection, so the bench can tell memory
// the worker holds from garbage it has not collected yet and from native memory.
import process from 'node:process';
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

process.on('SIGUSR2', () => {
  const before = snapshot();
  globalThis.gc?.();
  const after = snapshot();
  process.stdout.write(`memory-report ${JSON.stringify({ before, after })}\n`);
});
