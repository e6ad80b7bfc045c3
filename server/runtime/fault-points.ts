import 'server-only';
/**
 * Named points in the runtime where a test can force an interleaving: it registers a hook
 * for a point, and the runtime awaits that hook when it passes there (another transaction
 * commits in between, a crash is simulated by throwing). Without a hook a point costs one
 * map lookup. Only tests register hooks; production code never does.
 */
export type TFaultPoint =
  /** checkWait read an open wait that is due, before deciding it timed out. */
  | 'wait.dueRead'
  /** A batch with extra writes holds the run's row (its first statement ran); the extras come next. */
  | 'commit.afterRunLocked'
  /** A batch that creates waits is inside its transaction, the waits inserted, not yet committed. */
  | 'commit.beforeCommit'
  /** An event was stored and its open waits looked up, before the delivery commits. */
  | 'event.beforeCommit'
  /** admitRun committed RUNNING; the run's first batch is not written yet. */
  | 'advance.afterAdmission'
  /** The interpreter is about to run a leaf step's node (after its RUNNING record is buffered). */
  | 'step.beforeExecute'
  /** An advance job for `runId` is about to be sent (inside the caller's transaction, if it has one). */
  | 'queue.beforeSend'
  /** advanceRun is about to claim the run again after a pass whose release left it RUNNING (woken). */
  | 'advance.beforeReclaim'
  /** The worker fetched an advance job for `runId` from pg-boss (now active) and has not yet claimed the run. */
  | 'worker.afterFetch';

type TFaultContext = { runId?: string; stepId?: string };
type THook = (context: TFaultContext) => Promise<void> | void;

const hooks = new Map<TFaultPoint, THook>();

/** Awaits the hook registered for `point`, if any. */
export async function faultPoint(point: TFaultPoint, context: TFaultContext = {}): Promise<void> {
  const hook = hooks.get(point);
  if (hook) await hook(context);
}

/** Registers `hook` for `point` (replacing any); returns a function that removes it. Tests only. */
export function onFaultPoint(point: TFaultPoint, hook: THook): () => void {
  hooks.set(point, hook);
  return () => {
    if (hooks.get(point) === hook) hooks.delete(point);
  };
}

/** Removes every hook; call from afterEach. */
export function clearFaultPoints(): void {
  hooks.clear();
}
