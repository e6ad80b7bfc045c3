import { ThreadPool, threadEntryUrl } from '@/server/runtime/threads/thread-pool';
import { CODE_LIMITS, ZCodeWorkerMessage, type TCodeOutcome, type TCodeRequest } from './code-limits';

/**
 * Why threads: QuickJS stops itself at its deadline through the interrupt handler, but while
 * it runs it holds the thread, and a worker process's thread also renews run leases (every
 * 2 s); the web server's "test a step" must not hold every other request either. In a thread
 * of its own an evaluation blocks nothing, and one that does not stop in time (QuickJS only
 * polls the handler now and then: a stack overflow under try/catch took 4 s past its
 * deadline) is ended by terminating the thread.
 */
export type TCodePoolOptions = { size: number; workerUrl?: URL };

/** A fixed-size pool of code.js threads with a FIFO queue (see ThreadPool). */
export class CodePool extends ThreadPool<Omit<TCodeRequest, 'id'>, TCodeOutcome> {
  constructor(options: TCodePoolOptions) {
    super({
      name: 'code.js',
      size: options.size,
      heapMb: 64,
      workerUrl: options.workerUrl ?? threadEntryUrl('server/runtime/code/code-worker.ts'),
      parseMessage: (raw) => ZCodeWorkerMessage.parse(raw),
      deadlineMs: (request) => request.timeoutMs + CODE_LIMITS.hardKillGraceMs,
      timedOut: (request) => ({
        ok: false,
        failure: { code: 'TIMEOUT', message: 'The code ran past its time limit' },
        logs: [],
        durationMs: request.timeoutMs,
      }),
      outOfMemory: () => ({
        ok: false,
        failure: { code: 'CODE_LIMIT', message: 'The code used more memory than its limit' },
        logs: [],
        durationMs: 0,
      }),
      aborted: stopped,
    });
  }
}

function stopped(durationMs: number): TCodeOutcome {
  return {
    ok: false,
    failure: { code: 'TIMEOUT', message: 'The code was stopped: its step timed out or the run was canceled' },
    logs: [],
    durationMs,
  };
}

/** Sized for the 2-core target, like the expression pool. */
const POOL_SIZE = 2;
let shared: CodePool | null = null;

/** The process-wide code.js pool, started on first use. */
export function sharedCodePool(): CodePool {
  shared ??= new CodePool({ size: POOL_SIZE });
  return shared;
}

/** Stops the pool's threads (graceful shutdown, end of tests). A later evaluation starts a new pool. */
export async function closeCodePool(): Promise<void> {
  const pool = shared;
  shared = null;
  await pool?.close();
}
