import { ThreadPool, threadEntryUrl } from '@/server/runtime/threads/thread-pool';
import type { TExpressionOutcome } from './expression-failure';
import { ZWorkerMessage, type TWorkerRequest } from './expression-worker-protocol';

/**
 * Why threads: a regex with catastrophic backtracking (`/(a+)+$/` on "aaa…!") or a huge
 * native allocation runs inside V8 where no JavaScript check can interrupt it. The only hard
 * stop is another thread: each evaluation runs in a worker, and a worker that overruns the
 * time limit is terminated and replaced; `resourceLimits` caps its heap, so an allocation
 * bomb kills the worker and not the process. Other evaluations keep running on the others.
 */

/** After the time limit, how long the in-thread check gets to stop the evaluation itself (with a precise message) before the worker is killed. */
const HARD_KILL_GRACE_MS = 100;

export type TExpressionPoolOptions = { size: number; heapMb: number; workerUrl?: URL };

/** A fixed-size pool of expression threads with a FIFO queue (see ThreadPool). */
export class ExpressionPool extends ThreadPool<Omit<TWorkerRequest, 'id'>, TExpressionOutcome> {
  constructor(options: TExpressionPoolOptions) {
    super({
      name: 'expression',
      size: options.size,
      heapMb: options.heapMb,
      workerUrl: options.workerUrl ?? threadEntryUrl('server/runtime/expressions/expression-worker.ts'),
      parseMessage: (raw) => ZWorkerMessage.parse(raw),
      deadlineMs: (request) => request.limits.timeMs + HARD_KILL_GRACE_MS,
      timedOut: () => ({ ok: false, failure: { kind: 'limit', limit: 'timeMs' } }),
      outOfMemory: () => ({ ok: false, failure: { kind: 'limit', limit: 'memory' } }),
    });
  }
}
