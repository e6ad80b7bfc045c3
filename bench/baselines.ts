/**
 * Baselines the benchmarks print beside their figures, measured on the same PostgreSQL in the
 * same run: pg-boss on its own (send → handler), pgbench's simple-update transactions, or,
 * without pgbench, one-row INSERT transactions from Node.
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { percentiles, type TStats } from '@/bench/lib/stats';

/** pg-boss on its own: send → handler entry, with LISTEN/NOTIFY, the floor under start latency. */
export async function bossLatency(url: string, n: number): Promise<TStats> {
  const boss = new PgBoss({ connectionString: url, useListenNotify: true, schema: 'bench_runtime_boss' });
  boss.on('error', (error) => console.error('pg-boss:', error.message));
  await boss.start();
  await boss.createQueue('baseline', { notify: true });
  let resolveJob: (() => void) | null = null;
  await boss.work('baseline', { batchSize: 8, burstWhenBatchFull: true, pollingIntervalSeconds: 2 }, async () => {
    resolveJob?.();
  });
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const done = new Promise<void>((resolve) => (resolveJob = resolve));
    const t0 = performance.now();
    await boss.send('baseline', {});
    await done;
    samples.push(performance.now() - t0);
  }
  await boss.stop({ graceful: false, close: true });
  return percentiles(samples);
}

export function hasPgbench(): boolean {
  try {
    execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // Not installed (ENOENT): the caller measures raw INSERTs instead.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** pgbench's simple-update transactions (-N) on a scratch database of the same server. */
export function pgbenchTps(url: string, clients: number): number {
  const target = new URL(url);
  target.pathname = '/bench_pgbench';
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(target.password) };
  const args = ['-h', target.hostname, '-p', target.port, '-U', target.username];
  const out = execFileSync(
    'pgbench',
    [...args, '-N', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', '5', 'bench_pgbench'],
    { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
}

export async function preparePgbench(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS bench_pgbench');
  await admin.query('CREATE DATABASE bench_pgbench');
  await admin.end();
  const target = new URL(url);
  execFileSync(
    'pgbench',
    ['-h', target.hostname, '-p', target.port, '-U', target.username, '-i', '-q', '-s', '1', 'bench_pgbench'],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(target.password) }, stdio: 'ignore' },
  );
}

/** Without pgbench: one-row INSERT transactions from Node, one connection. */
export async function rawInsertTps(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE TEMP TABLE bench_insert (id serial primary key, v text)');
  const n = 3000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await client.query('INSERT INTO bench_insert (v) VALUES ($1)', [`v${i}`]);
  const tps = (n / (performance.now() - t0)) * 1000;
  await client.end();
  return tps;
}
