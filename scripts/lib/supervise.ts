/**
 * Keeps one process running for `npm start`: the web server, the worker, the embedded
 * PostgreSQL. One that exits while nobody asked it to is started again after a delay that
 * doubles with each crash in a row (so a process that cannot start does not spin the CPU) and
 * drops back to the shortest once it has stayed up a while (so a crash next week is not
 * punished for one today).
 */

/** Something `supervise` keeps running: `exited` says how it ended ("code 1", "signal SIGKILL"); `stop` ends it on purpose. */
export type TSupervisedProcess = { exited: Promise<string>; stop: () => Promise<void> };

export type TBackoff = { initialMs: number; maxMs: number; resetAfterMs: number };

/** 0.5 s, 1 s, 2 s … 30 s; back to 0.5 s after a minute up. */
export const DEFAULT_BACKOFF: TBackoff = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

export type TSupervision<T extends TSupervisedProcess = TSupervisedProcess> = {
  /** The running instance; null while waiting to start it again. */
  current: () => T | null;
  /** How many times it exited or failed to start while supervised. */
  failures: () => number;
  /**
   * Stops restarting and leaves the running instance alone: a shutdown holds every supervision
   * first, so a process that exits while others are being stopped (a PostgreSQL that got the
   * same SIGTERM, a worker that drained) is not started again behind it.
   */
  hold: () => void;
  /** Stops restarting, then stops the running instance and waits for it. */
  stop: () => Promise<void>;
};

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;

/**
 * Starts `start()` (or adopts `running`, already started) and starts it again whenever it
 * exits or fails to start, until `stop()`. Every restart is logged.
 */
export function supervise<T extends TSupervisedProcess>({
  name,
  start,
  running,
  log,
  backoff = DEFAULT_BACKOFF,
}: {
  name: string;
  start: () => T | Promise<T>;
  running?: T;
  log: (line: string) => void;
  backoff?: TBackoff;
}): TSupervision<T> {
  let current: T | null = null;
  let stopping = false;
  let failures = 0;
  // Cuts the wait before a restart short when stop() is called during it.
  let wake: (() => void) | null = null;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });

  const loop = (async () => {
    let delay = backoff.initialMs;
    let instance: T | null = running ?? null;
    while (!stopping) {
      if (!instance) {
        try {
          instance = await start();
        } catch (error) {
          failures++;
          log(
            `${name} could not be started (${error instanceof Error ? error.message : String(error)}); trying again in ${seconds(delay)}`,
          );
          await pause(delay);
          delay = Math.min(delay * 2, backoff.maxMs);
          continue;
        }
        if (stopping) {
          await instance.stop();
          return;
        }
        if (failures > 0) log(`${name} started again`);
      }
      current = instance;
      const upSince = Date.now();
      const how = await instance.exited;
      current = null;
      instance = null;
      if (stopping) return; // asked to stop: however it ended, that was the point
      failures++;
      if (Date.now() - upSince >= backoff.resetAfterMs) delay = backoff.initialMs;
      log(`${name} exited unexpectedly (${how}); starting it again in ${seconds(delay)}`);
      await pause(delay);
      delay = Math.min(delay * 2, backoff.maxMs);
    }
  })();

  return {
    current: () => current,
    failures: () => failures,
    hold: () => {
      stopping = true;
      wake?.();
    },
    stop: async () => {
      stopping = true;
      wake?.();
      await current?.stop();
      await loop;
    },
  };
}
