import 'server-only';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { AppError } from '@/model/errors';

/**
 * What a pool's threads answer: `ready` once booted, then one `result` per request (by id).
 * `recycle` asks for a fresh thread after this one (its memory stays grown after a broken limit).
 */
export type TThreadMessage<O> = { type: 'ready' } | { type: 'result'; id: number; outcome: O; recycle?: boolean };

/** What differs between the expression pool and the code.js pool; the thread handling is shared. */
export type TThreadPoolOptions<R, O> = {
  /** Used in error messages: "The <name> pool is closed". */
  name: string;
  size: number;
  heapMb: number;
  workerUrl: URL;
  parseMessage: (raw: unknown) => TThreadMessage<O>;
  /** How long a request may hold its thread before the thread is terminated. */
  deadlineMs: (request: R) => number;
  /** The outcome of a request whose thread was terminated at its deadline. */
  timedOut: (request: R) => O;
  /** The outcome of a request whose thread ran out of its heap. */
  outOfMemory: () => O;
  /** The outcome of a request stopped by its AbortSignal after `durationMs`. */
  aborted?: (durationMs: number) => O;
};

type TJob<R, O> = {
  request: R;
  signal?: AbortSignal;
  resolve: (outcome: O) => void;
  reject: (error: unknown) => void;
};
type TSlot<R, O> = {
  worker: Worker;
  ready: boolean;
  job: (TJob<R, O> & { id: number; timer: NodeJS.Timeout }) | null;
};

/**
 * A fixed-size pool of worker threads with a FIFO queue, for work that must be stoppable from
 * outside: a thread that overruns its deadline or its heap is terminated and replaced, and the
 * request gets the matching outcome. Idle threads never keep the process alive.
 */
export class ThreadPool<R extends object, O> {
  private readonly slots = new Set<TSlot<R, O>>();
  private readonly queue: TJob<R, O>[] = [];
  private nextId = 1;
  private closed = false;
  /** Threads started so far, replacements included (lets tests see a kill and a respawn). */
  spawned = 0;
  /** Requests handed to a thread so far (lets tests see where an evaluation ran). */
  dispatched = 0;

  constructor(private readonly options: TThreadPoolOptions<R, O>) {}

  /** Runs a request in a thread. Resolves with the outcome; rejects only when the pool itself fails. */
  run(request: R, signal?: AbortSignal): Promise<O> {
    if (this.closed) return Promise.reject(new AppError('INTERNAL', `The ${this.options.name} pool is closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, signal, resolve, reject });
      this.pump();
    });
  }

  /** Terminates every thread and fails queued and running requests. */
  async close(): Promise<void> {
    this.closed = true;
    const closedError = new AppError('INTERNAL', `The ${this.options.name} pool was closed during an evaluation`);
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
        // Start a thread only when none is still booting, so a burst does not overshoot.
        const booting = [...this.slots].some((slot) => !slot.ready);
        if (this.slots.size < this.options.size && !booting) this.spawn();
        return;
      }
      const job = this.queue.shift()!;
      if (job.signal?.aborted && this.options.aborted) job.resolve(this.options.aborted(0));
      else this.dispatch(idle, job);
    }
  }

  private dispatch(slot: TSlot<R, O>, job: TJob<R, O>): void {
    const id = this.nextId++;
    this.dispatched++;
    // The clock starts when the thread gets the request, not while it waits in the queue.
    const timer = setTimeout(
      () => this.kill(slot, this.options.timedOut(job.request)),
      this.options.deadlineMs(job.request),
    );
    timer.unref();
    const started = performance.now();
    slot.job = { ...job, id, timer };
    const aborted = this.options.aborted;
    if (aborted) {
      job.signal?.addEventListener(
        'abort',
        () => {
          if (slot.job?.id === id) this.kill(slot, aborted(performance.now() - started));
        },
        { once: true },
      );
    }
    // Busy threads hold the process open (an awaited evaluation must finish); idle ones do not.
    slot.worker.ref();
    try {
      slot.worker.postMessage({ ...job.request, id });
    } catch (error) {
      // DataCloneError: the request held something that is not data (a function, a symbol).
      clearTimeout(timer);
      slot.job = null;
      slot.worker.unref();
      const message = error instanceof Error ? error.message : String(error);
      job.reject(new AppError('VALIDATION', `The ${this.options.name} input is not plain data: ${message}`));
      this.pump();
    }
  }

  private spawn(): void {
    const worker = new Worker(bootstrapSource(this.options.workerUrl), {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    worker.unref();
    this.spawned++;
    const slot: TSlot<R, O> = { worker, ready: false, job: null };
    this.slots.add(slot);
    worker.on('message', (raw: unknown) => this.onMessage(slot, raw));
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.kill(slot, this.options.outOfMemory());
      else this.fail(slot, new AppError('INTERNAL', `The ${this.options.name} thread failed: ${error.message}`));
    });
    worker.on('exit', () => {
      if (this.slots.has(slot)) {
        this.fail(slot, new AppError('INTERNAL', `The ${this.options.name} thread exited unexpectedly`));
      }
    });
  }

  private onMessage(slot: TSlot<R, O>, raw: unknown): void {
    const message = this.options.parseMessage(raw);
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

  /** Ends the running request with `outcome` (if any) and replaces the thread (it may be stuck in native code). */
  private kill(slot: TSlot<R, O>, outcome: O | null): void {
    if (!this.slots.delete(slot)) return;
    if (slot.job) {
      clearTimeout(slot.job.timer);
      if (outcome !== null) slot.job.resolve(outcome);
      slot.job = null;
    }
    slot.worker
      .terminate()
      .catch((error: unknown) => console.error(`${this.options.name} thread did not terminate`, error));
    // Replaced now rather than on the next request: booting a thread (tsx, jsonata, QuickJS)
    // takes a few hundred ms, which should not land on the next request's clock.
    if (!this.closed && this.slots.size < this.options.size) this.spawn();
    this.pump();
  }

  /** A thread broke for a reason that is not the request's: fail its job, and the queue too if it never started. */
  private fail(slot: TSlot<R, O>, error: AppError): void {
    if (!this.slots.delete(slot)) return;
    if (slot.job) {
      clearTimeout(slot.job.timer);
      slot.job.reject(error);
      slot.job = null;
    }
    // A thread that failed before it was ready will fail again (e.g. tsx missing): do not loop.
    if (!slot.ready) for (const job of this.queue.splice(0)) job.reject(error);
    slot.worker
      .terminate()
      .catch((terminateError: unknown) =>
        console.error(`${this.options.name} thread did not terminate`, terminateError),
      );
    this.pump();
  }
}

/**
 * A thread is started from an eval'd bootstrap rather than from the file: in Node 20,
 * neither `execArgv: ['--import', 'tsx']` nor importing tsx's loader applies its hooks to a
 * worker, while calling tsx's ESM `register()` inside the worker does. tsx is resolved from
 * the project root, like the worker file. A compiled `.js` entry is imported directly.
 */
export function bootstrapSource(workerUrl: URL): string {
  const tsxApi = workerUrl.pathname.endsWith('.ts') ? tsxEsmApiUrl() : null;
  return [
    `const entry = ${JSON.stringify(workerUrl.href)};`,
    tsxApi
      ? `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(entry); })`
      : `import(entry)`,
    // Rethrown outside the promise so the pool gets an 'error' event.
    `.catch((error) => setImmediate(() => { throw error; }));`,
  ].join('\n');
}

/**
 * A thread entry's source file, found from the project root. Pipewright runs from its source
 * tree (every entry point starts in it), and inside the web server Next.js bundles the pools,
 * where `import.meta.url` no longer points next to the entry file.
 */
export function threadEntryUrl(relativePath: string): URL {
  return pathToFileURL(path.resolve(process.cwd(), relativePath));
}

/** `tsx/esm/api` under the "import" condition; require.resolve would give the CJS build, which fails inside a worker. */
function tsxEsmApiUrl(): string {
  const packageJsonPath = createRequire(path.resolve(process.cwd(), 'package.json')).resolve('tsx/package.json');
  const manifest = ZTsxManifest.parse(JSON.parse(readFileSync(packageJsonPath, 'utf8')));
  return new URL(manifest.exports['./esm/api'].import.default, pathToFileURL(packageJsonPath)).href;
}

const ZTsxManifest = z.object({
  exports: z.object({ './esm/api': z.object({ import: z.object({ default: z.string() }) }) }),
});
