// Preloaded into the web server and the worker that `npm start`'s supervisor runs
// (`node --import ./scripts/exit-with-supervisor.mjs …`, with PIPEWRIGHT_SUPERVISOR_PID set).
//
// The supervisor starts each child in a process group of its own (a Ctrl-C reaches them only
// through it, in order), so nothing ends them when the supervisor itself dies without its
// shutdown (SIGKILL, an OOM kill, a crash): before this, the web server and the worker ran on
// as orphans holding the port, the database connections and the runs' leases. This process
// now notices, within half a second, that the supervisor is gone and stops the way a Ctrl-C
// would have stopped it: SIGTERM to its own process group (itself, and `node --watch`'s child
// in development), so the worker drains and marks itself stopped; a group still there after
// the supervisor's own grace period is killed. Plain JavaScript importing only Node: it runs
// before anything else, in the bundled worker as in `next start`.
import process from 'node:process';
import { clearInterval, setInterval, setTimeout } from 'node:timers';

/** How often the supervisor's presence is checked; the check reads a number, nothing more. */
const CHECK_MS = 500;
/** As long as the supervisor's stopChild() waits before SIGKILL (scripts/lib/child-process.ts). */
const GRACE_MS = 25_000;

const supervisorPid = Number(process.env.PIPEWRIGHT_SUPERVISOR_PID);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

if (Number.isInteger(supervisorPid) && supervisorPid > 0) {
  // A direct child (the supervisor spawned it) sees its parent pid change the moment the
  // supervisor dies, even while it is a zombie nobody has reaped yet. Under `node --watch`
  // (npm run dev) the watcher is the parent, so the supervisor's pid itself is checked.
  const direct = process.ppid === supervisorPid;
  const gone = () => (direct ? process.ppid !== supervisorPid : !alive(supervisorPid));
  const timer = setInterval(() => {
    if (!gone()) return;
    clearInterval(timer);
    process.stderr.write(
      `[pipewright] the supervisor (pid ${supervisorPid}) is gone: stopping ${process.argv[1] ?? 'this process'}\n`,
    );
    // Process group 0 is our own: the supervisor made each child the leader of its group.
    process.kill(0, 'SIGTERM');
    setTimeout(() => process.kill(0, 'SIGKILL'), GRACE_MS).unref();
  }, CHECK_MS);
  timer.unref();
}
