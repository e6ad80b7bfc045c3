import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '@/model/errors';
import { bootstrapSource } from '@/server/runtime/expressions/expression-pool';
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
type TCodeJob = {
  request: Omit<TCodeRequest, 'id'>;
  signal?: AbortSignal;
  resolve: (outcome: TCodeOutcome) => void;
  reject: (error: unknown) => void;
};
type TSlot = {
  worker: Worker;
  ready: boolean;
  job: (TCodeJob & { id: number; timer: NodeJS.Timeout; started: number }) | null;
};

/** A fixed-size pool of code.js threads with a FIFO queue. Idle threads never keep the process alive. */
export class CodePool {
  private readonly slots = new Set<TSlot>();
  private readonly queue: TCodeJob[] = [];
  private nextId = 1;
  private closed = false;
  private readonly workerUrl: URL;
  /** Threads started so far, replacements included (tests see a kill and a respawn). */
  spawned = 0;

  constructor(private readonly options: TCodePoolOptions) {
    this.workerUrl =
      options.workerUrl ?? pathToFileURL(path.resolve(process.cwd(), 'server/runtime/code/code-worker.ts'));
  }

  /** Evaluates in a thread. Resolves with the outcome; rejects only when the pool itself fails. */
  run(request: Omit<TCodeRequest, 'id'>, signal?: AbortSignal): Promise<TCodeOutcome> {
    if (this.closed) return Promise.reject(new AppError('INTERNAL', 'The code.js pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, signal, resolve, reject });
      this.pump();
    });
  }

  /** Terminates every thread and fails queued and running evaluations. */
  async close(): Promise<void> {
    this.closed = true;
    const closedError = new AppError('INTERNAL', 'The code.js pool was closed during an evaluation');
    for (const job of this.queue.splice(0)) job.reject(closedError);
    const exits: Promise<number>[] = [];
    for (const slot of [...this.slots]) {
      if (slot.job) {
        clearTimeout(slot.job.timer);
        slot.job.reject(closedError);
        slot.job = null;
      }
      this.slots.delete(slot);
      exits.push(slot.worker.terminate());
    }
    await Promise.all(exits);
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      const idle = [...this.slots].find((slot) => slot.ready && !slot.job);
      if (!idle) {
        const booting = [...this.slots].some((slot) => !slot.ready);
        if (this.slots.size < this.options.size && !booting) this.spawn();
        return;
      }
      const job = this.queue.shift()!;
      if (job.signal?.aborted) job.resolve(stopped(0));
      else this.dispatch(idle, job);
    }
  }

  private dispatch(slot: TSlot, job: TCodeJob): void {
    const id = this.nextId++;
    // The clock starts when the thread gets the request, not while it waits in the queue.
    const timer = setTimeout(() => {
      const failure = { code: 'TIMEOUT' as const, message: 'The code ran past its time limit' };
      this.kill(slot, { ok: false, failure, logs: [], durationMs: job.request.timeoutMs });
    }, job.request.timeoutMs + CODE_LIMITS.hardKillGraceMs);
    timer.unref();
    const started = performance.now();
    slot.job = { ...job, id, timer, started };
    job.signal?.addEventListener(
      'abort',
      () => {
        if (slot.job?.id === id) this.kill(slot, stopped(performance.now() - started));
      },
      { once: true },
    );
    slot.worker.ref();
    slot.worker.postMessage({ ...job.request, id } satisfies TCodeRequest);
  }

  private spawn(): void {
    const worker = new Worker(bootstrapSource(this.workerUrl), {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    worker.unref();
    this.spawned++;
    const slot: TSlot = { worker, ready: false, job: null };
    this.slots.add(slot);
    worker.on('message', (raw: unknown) => this.onMessage(slot, raw));
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        const failure = { code: 'CODE_LIMIT' as const, message: 'The code used more memory than its limit' };
        this.kill(slot, { ok: false, failure, logs: [], durationMs: 0 });
      } else {
        this.fail(slot, new AppError('INTERNAL', `code.js worker failed: ${error.message}`));
      }
    });
    worker.on('exit', () => {
      if (this.slots.has(slot)) this.fail(slot, new AppError('INTERNAL', 'code.js worker exited unexpectedly'));
    });
  }

  private onMessage(slot: TSlot, raw: unknown): void {
    const message = ZCodeWorkerMessage.parse(raw);
    if (message.type === 'ready') {
      slot.ready = true;
    } else if (slot.job && slot.job.id === message.id) {
      clearTimeout(slot.job.timer);
      const { resolve } = slot.job;
      slot.job = null;
      slot.worker.unref();
      if (message.recycle) this.kill(slot, null);
      resolve(message.outcome);
    }
    this.pump();
  }

  /** Ends the running evaluation with `outcome` (if any) and replaces the thread. */
  private kill(slot: TSlot, outcome: TCodeOutcome | null): void {
    if (!this.slots.delete(slot)) return;
    if (slot.job) {
      clearTimeout(slot.job.timer);
      if (outcome) slot.job.resolve(outcome);
      slot.job = null;
    }
    slot.worker.terminate().catch((error: unknown) => console.error('code.js worker did not terminate', error));
    // Replaced now rather than on the next request: booting a thread (tsx, QuickJS) takes a
    // few hundred ms, which should not land on the next evaluation's clock.
    if (!this.closed && this.slots.size < this.options.size) this.spawn();
    this.pump();
  }

  private fail(slot: TSlot, error: AppError): void {
    if (!this.slots.delete(slot)) return;
    if (slot.job) {
      clearTimeout(slot.job.timer);
      slot.job.reject(error);
      slot.job = null;
    }
    // A thread that failed before it was ready will fail again (tsx or QuickJS missing): do not loop.
    if (!slot.ready) for (const job of this.queue.splice(0)) job.reject(error);
    slot.worker
      .terminate()
      .catch((terminateError: unknown) => console.error('code.js worker did not terminate', terminateError));
    this.pump();
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
