// Loaded with NODE_OPTIONS=--import by the HTTP bench when BENCH_WEB_PROF is set (--cpu-prof
// itself is refused in NODE_OPTIONS): profiles this process from start to exit and writes a
// .cpuprofile named after it into BENCH_WEB_PROF. SIGUSR2 (which the query counter also
// answers) writes the profile so far as its own file and starts a new one, so a bench can
// profile one window of load at a time.
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

function write(suffix, then) {
  session.post('Profiler.stop', (error, result) => {
    if (!error && dir) {
      const role = process.argv
        .slice(1)
        .map((arg) => path.basename(arg))
        .join('_')
        .replace(/[^A-Za-z0-9_.-]/g, '')
        .slice(0, 60);
      writeFileSync(path.join(dir, `${role}-${process.pid}${suffix}.cpuprofile`), JSON.stringify(result.profile));
    }
    then?.();
  });
}

process.on('SIGUSR2', () => write(`-${Date.now()}`, () => session.post('Profiler.start')));
process.on('exit', () => write(''));
