// Loaded with NODE_OPTIONS=--import by the HTTP bench when BENCH_WEB_PROF is set (--cpu-prof
// itself is refused in NODE_OPTIONS): profiles this process from start to exit and writes a
// .cpuprofile named after it into BENCH_WEB_PROF.
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import process from 'node:process';

const dir = process.env.BENCH_WEB_PROF;
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    if (error || !dir) return;
    const role = process.argv
      .slice(1)
      .map((arg) => path.basename(arg))
      .join('_')
      .replace(/[^A-Za-z0-9_.-]/g, '')
      .slice(0, 60);
    writeFileSync(path.join(dir, `${role}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
