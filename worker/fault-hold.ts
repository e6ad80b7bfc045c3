import { onFaultPoint, type TFaultPoint } from '@/server/runtime/fault-points';
import { AppError } from '@/model/errors';

/** The fault points a worker process can be told to stop at (PIPEWRIGHT_FAULT_HOLD). */
const HOLDABLE = [
  'advance.beforeReclaim',
  'advance.afterAdmission',
  'step.beforeExecute',
  'worker.afterFetch',
] as const satisfies readonly TFaultPoint[];

/**
 * For the fault tests only: with PIPEWRIGHT_FAULT_HOLD naming a fault point, the worker says
 * so when a run reaches it and never goes on from there, so a test can SIGKILL the real
 * process at exactly that place (between a release and the re-claim, say) instead of hoping
 * a timed kill lands there. Unset (always, outside the tests), nothing is registered.
 */
export function holdAtFaultPointFromEnv(log: (line: string) => void): void {
  const wanted = process.env.PIPEWRIGHT_FAULT_HOLD;
  if (!wanted) return;
  const point = HOLDABLE.find((name) => name === wanted);
  if (!point)
    throw new AppError(
      'CONFIG',
      `PIPEWRIGHT_FAULT_HOLD: unknown fault point "${wanted}" (one of ${HOLDABLE.join(', ')})`,
    );
  onFaultPoint(point, ({ runId }) => {
    log(`fault point ${point} held (run ${runId ?? '?'})`);
    return new Promise<void>(() => {});
  });
}
