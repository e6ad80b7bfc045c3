import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { AppError } from '@/model/errors';
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

type TJob = {
  request: Omit<TWorkerRequest, 'id'>;
  resolve: (outcome: TExpressionOutcome) => void;
  reject: (error: unknown) => void;
};
type TSlot = { worker: Worker; ready: boolean; job: (TJob & { id: number; timer: NodeJS.Timeout }) | null };

/** A fixed-size pool of expression workers with a FIFO queue. Idle workers never keep the process alive. */
export class ExpressionPool {
  private readonly slots = new Set<TSlot>();
  private readonly queue: TJob[] = [];
  private nextId = 1;
  private closed = false;
  private readonly workerUrl: URL;
  /** Number of workers started so far, replacements included (lets tests see a kill and a respawn). */
  spawned = 0;
  /** Number of evaluations handed to a worker so far (lets tests see where an evaluation ran). */
  dispatched = 0;

  constructor(private readonly options: TExpressionPoolOptions) {
    this.workerUrl = options.workerUrl ?? defaultWorkerUrl();
  }

  /** Evaluates in a worker. Resolves with the outcome; rejects only when the pool itself fails. */
  run(request: Omit<TWorkerRequest, 'id'>): Promise<TExpressionOutcome> {
    if (this.closed) return Promise.reject(new AppError('INTERNAL', 'The expression pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  /** Terminates every worker and fails queued and running evaluations. */
  async close(): Promise<void> {
    this.closed = true;
    const closedError = new AppError('INTERNAL', 'The expression pool was closed during an evaluation');
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
        // Start a worker only when none is still booting, so a burst does not overshoot.
        const booting = [...this.slots].some((slot) => !slot.ready);
        if (this.slots.size < this.options.size && !booting) this.spawn();
        return;
      }
      this.dispatch(idle, this.queue.shift()!);
    }
  }

  private dispatch(slot: TSlot, job: TJob): void {
    const id = this.nextId++;
    this.dispatched++;
    // The clock starts when the worker gets the request, not while it waits in the queue.
    const timer = setTimeout(
      () => this.kill(slot, { ok: false, failure: { kind: 'limit', limit: 'timeMs' } }),
      job.request.limits.timeMs + HARD_KILL_GRACE_MS,
    );
    timer.unref();
    slot.job = { ...job, id, timer };
    // Busy workers hold the process open (an awaited evaluation must finish); idle ones do not.
    slot.worker.ref();
    try {
      slot.worker.postMessage({ ...job.request, id } satisfies TWorkerRequest);
    } catch (error) {
      // DataCloneError: the envelope held something that is not data (a function, a symbol).
      clearTimeout(timer);
      slot.job = null;
      slot.worker.unref();
      job.reject(
        new AppError(
          'VALIDATION',
          `Expression input is not plain data: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
      this.pump();
    }
  }

  private spawn(): void {
    const worker = new Worker(bootstrapSource(this.workerUrl), {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    worker.unref();
    this.spawned++;
    const slot: TSlot = { worker, ready: false, job: null };
    this.slots.add(slot);
    worker.on('message', (raw: unknown) => this.onMessage(slot, raw));
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        this.kill(slot, { ok: false, failure: { kind: 'limit', limit: 'memory' } });
      } else {
        this.fail(slot, new AppError('INTERNAL', `Expression worker failed: ${error.message}`));
      }
    });
    worker.on('exit', () => {
      if (this.slots.has(slot)) this.fail(slot, new AppError('INTERNAL', 'Expression worker exited unexpectedly'));
    });
  }

  private onMessage(slot: TSlot, raw: unknown): void {
    const message = ZWorkerMessage.parse(raw);
    if (message.type === 'ready') {
      slot.ready = true;
    } else if (slot.job && slot.job.id === message.id) {
      clearTimeout(slot.job.timer);
      const { resolve } = slot.job;
      slot.job = null;
      slot.worker.unref();
      resolve(message.outcome);
    }
    this.pump();
  }

  /** Ends the running evaluation with `outcome` and replaces the worker (it may be stuck in native code). */
  private kill(slot: TSlot, outcome: TExpressionOutcome): void {
    if (!this.slots.delete(slot)) return;
    if (slot.job) {
      clearTimeout(slot.job.timer);
      slot.job.resolve(outcome);
      slot.job = null;
    }
    slot.worker.terminate().catch((error: unknown) => console.error('expression worker did not terminate', error));
    // Replace it now rather than on the next request: booting a worker (tsx, jsonata) takes
    // a few hundred ms, which should not land on the next evaluation's clock or latency.
    if (!this.closed && this.slots.size < this.options.size) this.spawn();
    this.pump();
  }

  /** A worker broke for a reason that is not the expression's: fail its job, and the queue too if it never started. */
  private fail(slot: TSlot, error: AppError): void {
    if (!this.slots.delete(slot)) return;
    if (slot.job) {
      clearTimeout(slot.job.timer);
      slot.job.reject(error);
      slot.job = null;
    }
    // A worker that failed before it was ready will fail again (e.g. tsx missing): do not loop.
    if (!slot.ready) for (const job of this.queue.splice(0)) job.reject(error);
    slot.worker
      .terminate()
      .catch((terminateError: unknown) => console.error('expression worker did not terminate', terminateError));
    this.pump();
  }
}

/**
 * The worker is started from an eval'd bootstrap rather than from the file: in Node 20,
 * neither `execArgv: ['--import', 'tsx']` nor importing tsx's loader applies its hooks to a
 * worker, while calling tsx's ESM `register()` inside the worker does. tsx is resolved from
 * the project root, like the worker file. A compiled `.js` entry is imported directly.
 */
function bootstrapSource(workerUrl: URL): string {
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
 * The worker's source file, found from the project root. Pipewright runs from its source
 * tree (every entry point starts in it), and inside the web server Next.js bundles this
 * module, where `import.meta.url` no longer points next to the worker file.
 */
function defaultWorkerUrl(): URL {
  return pathToFileURL(path.resolve(process.cwd(), 'server/runtime/expressions/expression-worker.ts'));
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
