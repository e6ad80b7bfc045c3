import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { TS_NODE_ARGS } from '@/scripts/lib/node-args';

/**
 * Shared pieces of the fault tests: real worker processes, a loopback receiver that counts
 * deliveries per Idempotency-Key, polling for a condition with a deadline, and the
 * invariants every recovered run must satisfy.
 */

/** Polls `check` until it returns a value other than null/false, or fails after `timeoutMs` naming what it waited for. */
export async function until<T>(
  what: string,
  check: () => Promise<T | null | false> | T | null | false,
  { timeoutMs = 60_000, everyMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false) return value;
    last = value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last check: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export type TWorkerProcess = {
  child: ChildProcess;
  pid: number;
  /** The worker's id as written to `workers` and `runs.lease_owner`. */
  id: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * How long startWorker waits for a worker to say it is ready. Generous: on a loaded 2-core
 * machine (CI beside other work) a worker's tsx start took over 30 s. A test that starts
 * workers allows this much on top of its own work (`WORKER_READY_TIMEOUT_MS + 60_000`), so a
 * slow start fails as "the worker did not get ready", not as a test timeout naming nothing.
 */
export const WORKER_READY_TIMEOUT_MS = 120_000;

/** Every worker a test started, so a failed test still leaves no process behind. */
const started = new Set<TWorkerProcess>();

/** Starts `worker/main.ts` as a real process against `url` and waits until it is taking jobs. */
export async function startWorker({
  url,
  env = {},
}: {
  url: string;
  env?: Record<string, string>;
}): Promise<TWorkerProcess> {
  const child = spawn(process.execPath, [...TS_NODE_ARGS, 'worker/main.ts'], {
    env: { ...process.env, DATABASE_URL: url, PIPEWRIGHT_EGRESS_ALLOW: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    // Bounded: a crash-looping worker must not grow the test's memory without limit.
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const worker: TWorkerProcess = { child, pid: child.pid ?? -1, id: '', output: () => output, exited };
  started.add(worker);
  void exited.then(() => started.delete(worker));
  const ready = await Promise.race([
    until('the worker to say it is ready', () => /ready \(([^)]+)\)/.exec(output)?.[1] ?? null, {
      timeoutMs: WORKER_READY_TIMEOUT_MS,
      everyMs: 50,
    }),
    exited.then(({ code, signal }) => {
      throw new Error(`The worker exited (code ${code}, signal ${signal}) before it was ready:\n${output}`);
    }),
  ]);
  worker.id = ready;
  return worker;
}

/** SIGKILLs a worker (no cleanup of any kind, like a power cut) and waits until it is gone. */
export async function killWorker(worker: TWorkerProcess): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await worker.exited;
}

/** Kills whatever a test left running; call from afterEach. */
export async function killAllWorkers(): Promise<void> {
  await Promise.all([...started].map((worker) => killWorker(worker)));
}

/** The output of every worker still known, for a failed test's report. */
export function workerOutputs(workers: readonly TWorkerProcess[]): string {
  return workers.map((w) => `--- worker ${w.pid} (${w.id}) ---\n${w.output().slice(-20_000)}`).join('\n');
}

/**
 * A dead worker's leases run out LEASE_MS after its last renewal. The tests know the holder
 * is dead (they killed it), so they let that time pass at once instead of sleeping through
 * it: what is under test is what happens after the lease is gone, not the clock.
 */
export async function expireLeasesOf({ db, workerId }: { db: Db; workerId: string }): Promise<number> {
  const result = await db
    .updateTable('runs')
    .set({ lease_expires_at: sql`now() - interval '1 second'` })
    .where('lease_owner', '=', workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export type TDelivery = { key: string; at: number; respondedAt: number | null };

export type TReceiver = {
  url: string;
  /** Every request in arrival order. */
  deliveries: TDelivery[];
  /** How many deliveries each Idempotency-Key got; the effect is performed on the first only. */
  perKey: Map<string, number>;
  close: () => Promise<void>;
};

/** What the receiver answers one delivery with; without `body`, a JSON note of the key and delivery number. */
export type TReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string | Buffer };

/**
 * An idempotent receiver on 127.0.0.1: performs its effect once per Idempotency-Key (the
 * first delivery) and answers every delivery after `holdMs`, as a slow real service would.
 * `answer` decides the status, headers and body of the n-th delivery of a key (1-based), to
 * the request's path.
 */
export async function startReceiver({
  holdMs = 0,
  answer = () => ({ status: 200 }),
}: {
  holdMs?: number;
  answer?: (key: string, delivery: number, path: string) => TReceiverAnswer;
} = {}): Promise<TReceiver> {
  const deliveries: TDelivery[] = [];
  const perKey = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const key = String(request.headers['idempotency-key'] ?? '');
    const delivery: TDelivery = { key, at: Date.now(), respondedAt: null };
    deliveries.push(delivery);
    const n = (perKey.get(key) ?? 0) + 1;
    perKey.set(key, n);
    // The caller may be SIGKILLed while we hold its request: the write then fails, harmlessly.
    response.on('error', () => undefined);
    request.resume();
    setTimeout(() => {
      const { status, headers = {}, body } = answer(key, n, request.url ?? '/');
      delivery.respondedAt = Date.now();
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body ?? JSON.stringify({ key, delivery: n, effected: n === 1 }));
    }, holdMs);
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    perKey,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Counts runs among `runIds` by status. */
export async function runStatuses(db: Db, runIds: readonly string[]): Promise<Map<string, number>> {
  if (runIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('runs')
    .select(['status'])
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('id', 'in', runIds)
    .groupBy('status')
    .execute();
  return new Map(rows.map((row) => [row.status, Number(row.n)]));
}

/** Waits until every run in `runIds` is SUCCEEDED, FAILED or CANCELED. */
export async function untilAllTerminal(db: Db, runIds: readonly string[], timeoutMs: number): Promise<void> {
  await until(
    `${runIds.length} runs to finish`,
    async () => {
      const rows = await db
        .selectFrom('runs')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('id', 'in', runIds)
        .where('status', 'in', ['SUCCEEDED', 'FAILED', 'CANCELED'])
        .executeTakeFirstOrThrow();
      return Number(rows.n) === runIds.length;
    },
    { timeoutMs, everyMs: 200 },
  );
}

export type TRunInvariantReport = {
  /** Run ids whose step paths do not each have exactly one SUCCEEDED record (or have any beyond `expectedPaths`). */
  badSteps: string[];
  /** Run ids whose event seqs are not exactly 1..n. */
  badSeqs: string[];
};

/**
 * The durability invariants of a finished run: each of the `expectedPaths` has exactly one
 * SUCCEEDED record, and the event log is numbered 1..n without a gap or repeat.
 */
export async function checkRunInvariants(
  db: Db,
  runIds: readonly string[],
  expectedPaths: readonly string[],
): Promise<TRunInvariantReport> {
  const steps = await db
    .selectFrom('run_steps')
    .select(['run_id', 'path'])
    .where('run_id', 'in', runIds)
    .where('status', '=', 'SUCCEEDED')
    .execute();
  const successes = new Map<string, Map<string, number>>();
  for (const step of steps) {
    const byPath = successes.get(step.run_id) ?? new Map<string, number>();
    byPath.set(step.path, (byPath.get(step.path) ?? 0) + 1);
    successes.set(step.run_id, byPath);
  }
  const badSteps = runIds.filter((id) => {
    const byPath = successes.get(id) ?? new Map<string, number>();
    return byPath.size !== expectedPaths.length || expectedPaths.some((path) => byPath.get(path) !== 1);
  });
  const events = await db
    .selectFrom('run_events')
    .select(['run_id', 'seq'])
    .where('run_id', 'in', runIds)
    .orderBy('run_id')
    .orderBy('seq')
    .execute();
  const seqs = new Map<string, number[]>();
  for (const event of events) seqs.set(event.run_id, [...(seqs.get(event.run_id) ?? []), Number(event.seq)]);
  const badSeqs = runIds.filter((id) => {
    const list = seqs.get(id) ?? [];
    return list.length === 0 || list.some((seq, i) => seq !== i + 1);
  });
  return { badSteps, badSeqs };
}
