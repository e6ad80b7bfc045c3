// Loaded with --import into the bench's worker when BENCH_HEAP_PROF is set: a sampling heap
// profile of everything the process allocates from start to exit, collected objects included
// (node's own --heap-prof keeps only what is still alive when it writes, which says nothing
// about the garbage a run leaves), written into BENCH_HEAP_PROF as <pid>.heapprofile on exit.
// Open it in Chrome DevTools' Memory tab, or sum it by function.
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import process from 'node:process';
import { setInterval } from 'node:timers';

const dir = process.env.BENCH_HEAP_PROF;
const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.enable');
// BENCH_HEAP_PROF_LIVE_MS=ms: instead, every ms a full collection, then what is still alive
// (<pid>-<n>.live.heapprofile): under load, the runs in flight's live objects are what each
// scavenge copies.
const liveEvery = Number(process.env.BENCH_HEAP_PROF_LIVE_MS ?? 0);
session.post('HeapProfiler.startSampling', {
  samplingInterval: Number(process.env.BENCH_HEAP_PROF_INTERVAL ?? 32_768),
  includeObjectsCollectedByMajorGC: liveEvery === 0,
  includeObjectsCollectedByMinorGC: liveEvery === 0,
});
let taken = 0;
if (liveEvery > 0)
  setInterval(() => {
    session.post('HeapProfiler.collectGarbage', () =>
      session.post('HeapProfiler.getSamplingProfile', (error, result) => {
        if (!error && dir)
          writeFileSync(path.join(dir, `${process.pid}-${taken++}.live.heapprofile`), JSON.stringify(result.profile));
      }),
    );
  }, liveEvery).unref();

process.on('exit', () => {
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (!error && dir) writeFileSync(path.join(dir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
  });
});
