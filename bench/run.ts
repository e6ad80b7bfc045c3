/**
 * `npm run bench`: what the foundation adds on hot paths, each beside its raw baseline in
 * the same run on the same embedded PostgreSQL.
 *   1. API token authentication (resolveApiToken) vs a raw indexed SELECT of the hash.
 *   2. Worker wake-up: pg-boss send → handler with LISTEN/NOTIFY, vs raw NOTIFY → LISTEN,
 *      vs pg-boss with polling only.
 *   3–6. The durable runtime (start latency, throughput, event resume, worker memory): bench/runtime.ts.
 *   7. code.js per evaluation beside JSONata on the same arithmetic: bench/code-js.ts.
 *   8. Replay of 50 recorded 20-step runs against a draft, beside running them: bench/replay.ts.
 *   9. A workflow's problem check at 10, 300 and 1,000 steps, main's beside now's: bench/check-definition.ts.
 *   A–D. Issue #16's figures through the HTTP API of the app as `npm start` runs it: bench/http.ts
 *        (BENCH_SKIP_HTTP=1 leaves them out).
 *   Designer: opening and dragging in 10-, 300- and 1,000-step workflows in Chromium: bench/designer-open.ts
 *        (BENCH_SKIP_DESIGNER=1 leaves it out; its figures join the JSON results under `designer`).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { createDb } from '@/server/db/database';
import { startEmbeddedPostgres } from '@/server/db/embedded';
import { migrateToLatest } from '@/server/db/migrate';
import { resolveApiToken } from '@/server/tokens/resolve-api-token';
import { runtimeBenchmarks } from '@/bench/runtime';
import { httpBenchmarks } from '@/bench/http';
import { codeBenchmarks } from '@/bench/code-js';
import { replayBenchmarks } from '@/bench/replay';
import { checkDefinitionBenchmarks } from '@/bench/check-definition';
import { designerBenchmarks, writeDesignerResults } from '@/bench/designer-open';
import { displayPrefix, generateApiToken, hashApiToken } from '@/server/tokens/token-format';

type TStats = { n: number; p50: number; p95: number; p99: number; perSecond: number };

function stats(samples: number[], totalMs: number): TStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    n: samples.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    perSecond: (samples.length / totalMs) * 1000,
  };
}

async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<TStats> {
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return stats(samples, performance.now() - start);
}

function row(name: string, s: TStats): string {
  const f = (v: number) => v.toFixed(3).padStart(9);
  return `${name.padEnd(44)} n=${String(s.n).padStart(5)}  p50=${f(s.p50)} ms  p95=${f(s.p95)} ms  p99=${f(s.p99)} ms  ${s.perSecond.toFixed(0).padStart(7)}/s`;
}

async function wakeLatency(url: string, options: { notify: boolean; n: number }): Promise<TStats> {
  const boss = new PgBoss({ connectionString: url, useListenNotify: options.notify, schema: 'bench_boss' });
  boss.on('error', (error) => console.error('pg-boss:', error.message));
  await boss.start();
  const queue = `wake-${options.notify ? 'notify' : 'poll'}`;
  await boss.createQueue(queue, { notify: options.notify });
  let resolveJob: (() => void) | null = null;
  await boss.work(queue, { batchSize: 4, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 }, async () => {
    resolveJob?.();
  });
  const result = await timeEach(options.n, async () => {
    const done = new Promise<void>((resolve) => (resolveJob = resolve));
    await boss.send(queue, {});
    await done;
  });
  await boss.stop({ graceful: false, close: true });
  return result;
}

async function rawNotifyLatency(url: string, n: number): Promise<TStats> {
  const listener = new pg.Client({ connectionString: url });
  const sender = new pg.Client({ connectionString: url });
  await Promise.all([listener.connect(), sender.connect()]);
  await listener.query('LISTEN bench_wake');
  let resolveNote: (() => void) | null = null;
  listener.on('notification', () => resolveNote?.());
  const result = await timeEach(n, async () => {
    const done = new Promise<void>((resolve) => (resolveNote = resolve));
    await sender.query("SELECT pg_notify('bench_wake', 'x')");
    await done;
  });
  await Promise.all([listener.end(), sender.end()]);
  return result;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipewright-bench-'));
  chmodSync(dir, 0o755); // the embedded server runs as the postgres user when we are root
  const database = await startEmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), password: 'bench-password-1234' });
  try {
    const { db } = createDb(database.url, { max: 4 });
    await migrateToLatest({ db });
    const tenant = await db
      .insertInto('tenants')
      .values({ slug: 'bench', name: 'Bench' })
      .returning('id')
      .executeTakeFirstOrThrow();
    // A realistic table: the token being checked among 10,000 others.
    const tokens = Array.from({ length: 10_000 }, () => generateApiToken());
    for (let i = 0; i < tokens.length; i += 1000) {
      await db
        .insertInto('api_tokens')
        .values(
          tokens.slice(i, i + 1000).map((t, j) => ({
            tenant_id: tenant.id,
            name: `t${i + j}`,
            token_prefix: displayPrefix(t),
            token_hash: hashApiToken(t),
            role: 'operator' as const,
          })),
        )
        .execute();
    }
    const raw = new pg.Client({ connectionString: database.url });
    await raw.connect();
    const N = 3000;
    console.log(`\nPipewright benchmarks (embedded PostgreSQL 17, ${new Date().toISOString()})\n`);
    console.log('1. API token authentication, per call');
    console.log(
      row(
        'baseline: raw SELECT by token hash',
        await timeEach(N, (i) =>
          raw.query('SELECT id, role FROM api_tokens WHERE token_hash = $1', [
            hashApiToken(tokens[i % tokens.length]!),
          ]),
        ),
      ),
    );
    console.log(
      row(
        'resolveApiToken (join tenant, expiry check)',
        await timeEach(N, (i) => resolveApiToken({ db, token: tokens[i % 50]! })),
      ),
    );
    await raw.end();
    await db.destroy();

    const W = 200;
    console.log('\n2. Worker wake-up: enqueue → handler running');
    console.log(row('baseline: raw NOTIFY → LISTEN', await rawNotifyLatency(database.url, W)));
    console.log(
      row('pg-boss 12.35, LISTEN/NOTIFY (what we run)', await wakeLatency(database.url, { notify: true, n: W })),
    );
    console.log(row('pg-boss 12.35, polling every 0.5 s', await wakeLatency(database.url, { notify: false, n: 20 })));
    await runtimeBenchmarks({ url: database.url });
    await codeBenchmarks();
    await replayBenchmarks({ url: database.url });
    await checkDefinitionBenchmarks();
  } finally {
    await database.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  if (!process.env.BENCH_SKIP_HTTP) await httpBenchmarks();
  if (!process.env.BENCH_SKIP_DESIGNER) {
    const out = writeDesignerResults(await designerBenchmarks());
    console.log(`\nDesigner results added to ${out}`);
  }
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
