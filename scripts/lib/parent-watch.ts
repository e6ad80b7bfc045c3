/**
 * Calls `onOrphaned` once the process that started this one has gone. `npm start` runs the
 * supervisor under `sh -c`, and a SIGTERM sent to npm (docker stop, a process manager) ends
 * the shell without passing the signal on, leaving the supervisor orphaned with its children
 * and database still running. The check is a poll of `process.ppid`, which changes to the
 * reaper (init or a subreaper) when the parent exits; it does not keep the process alive.
 */
export function watchParent(onOrphaned: () => void, everyMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
