/**
 * Issue #16, "speed as scripts and people feel it": every figure measured through the public
 * HTTP API of the real app, started the way `npm start` starts it (embedded PostgreSQL, a
 * production `next start`, one worker), with a real API token, each beside a baseline taken in
 * the same run on the same machine:
 *   A. POST /workflows/{key}/runs, 16 in flight   vs GET /health and GET /workflows?limit=1
 *   B. POST → first step.started, one at a time   vs raw pg-boss send → handler
 *   C. 1,000 runs × 10 steps started 32 at a time  vs pgbench -N, 8 clients; commits, rows and WAL
 *      bytes per step (bench/throughput.ts); C2 the same with a second worker process
 *   E. 40 sequential http.request steps to a loopback server: (run time)/40 vs the call alone
 *      and one pgbench commit (bench/durable-steps.ts).
 *   D. the runs list with 100,000 runs: GET /api/v1/runs with each filter combination, first and
 *      later pages, with EXPLAIN of each query; the Runs page and the Overview page.
 * `npm run bench` runs it after the in-process benchmarks; `node --conditions=react-server --import tsx bench/http.ts`
 * alone. BENCH_HTTP_ONLY=api,latency,throughput,workers2,durable,list picks sections; BENCH_LIST_RUNS sets the
 * size of the runs table (100,000). Results are also written as JSON (path printed at the end).
 * BENCH_PG_STATEMENTS=1 starts the app's PostgreSQL with pg_stat_statements: sections A and E then
 * print the statements that cost it most, per start (worker running) and per durable step.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { createDb } from '@/server/db/database';
import { startBenchApp } from '@/bench/lib/app-process';
import { followRuns } from '@/bench/lib/follow-runs';
import { BenchClient, loadJson, loadRow, publishOverHttp } from '@/bench/lib/http-load';
import { figureRow, latencyRow, percentiles, type TStats } from '@/bench/lib/stats';
import { bossLatency, hasPgbench, pgbenchTps, preparePgbench, rawInsertTps } from '@/bench/baselines';
import { runsListBenchmarks } from '@/bench/runs-list';
import { durableStepBenchmarks } from '@/bench/durable-steps';
import { measureThroughput, type TThroughput } from '@/bench/throughput';
import { startBenchWorker } from '@/bench/lib/worker-process';
import { startRateBenchmarks } from '@/bench/start-rate';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

export type TResults = Record<string, unknown>;

const statsJson = (s: TStats) => ({ n: s.n, p50Ms: s.p50, p95Ms: s.p95, p99Ms: s.p99, maxMs: s.max });

function throughputRow(t: TThroughput, label: string, target = ''): string {
  const name = `steps, first POST → last run ended, ${label} (${t.succeededSteps})`;
  return figureRow(name, `${t.stepsPerSecond.toFixed(0)} steps/s`, target);
}

function writeVolumeRow(t: TThroughput): string {
  const { commits, rowsWritten, walBytes } = t.perStep;
  const value = `${commits.toFixed(2)} / ${rowsWritten.toFixed(1)} / ${walBytes.toFixed(0)}`;
  const tables = Object.entries(t.rowsPerStepByTable)
    .map(
      ([name, w]) =>
        `    ${name.padEnd(34)} +${w.inserted.toFixed(2)} ~${w.updated.toFixed(2)} -${w.deleted.toFixed(2)}`,
    )
    .join('\n');
  return `${figureRow('  per step: commits / rows written / WAL bytes', value)}\n  rows per step by table (+inserted ~updated -deleted):\n${tables}`;
}

const throughputJson = (t: TThroughput) => ({
  starts: loadJson(t.starts),
  stepsPerSecond: Math.round(t.stepsPerSecond),
  succeededSteps: t.succeededSteps,
  elapsedMs: t.elapsedMs,
  perStep: t.perStep,
  rowsPerStepByTable: t.rowsPerStepByTable,
});

async function pgbenchBaseline(url: string): Promise<{ tps: number; label: string }> {
  if (hasPgbench()) {
    await preparePgbench(url);
    const tps = pgbenchTps(url, 8);
    return { tps, label: `pgbench -N, 8 clients: ${tps.toFixed(0)} tps` };
  }
  const tps = await rawInsertTps(url);
  return { tps, label: `raw one-row INSERTs: ${tps.toFixed(0)} tps` };
}

export async function httpBenchmarks(): Promise<TResults> {
  const only = new Set((process.env.BENCH_HTTP_ONLY ?? '').split(',').filter(Boolean));
  const wants = (section: string) => only.size === 0 || only.has(section);
  const dir = mkdtempSync(path.join(tmpdir(), 'pipewright-bench-http-'));
  chmodSync(dir, 0o755); // the embedded server runs as the postgres user when we are root
  const results: TResults = { at: new Date().toISOString() };
  console.log(
    '\nHTTP benchmarks: the real app as `npm start` runs it (production next start + one worker, embedded PostgreSQL)',
  );
  // Section E's steps call a receiver on loopback, which the egress guard refuses unless opened.
  const app = await startBenchApp({ dataDir: path.join(dir, 'data'), env: { PIPEWRIGHT_EGRESS_ALLOW: '127.0.0.1' } });
  const { db } = createDb(app.dbUrl, { max: 4 });
  const client = new BenchClient(app.baseUrl, app.token);
  try {
    await publishOverHttp(client, 'bench-one', {
      steps: [{ id: 'only', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }],
    });
    const steps10 = Array.from({ length: 10 }, (_, i) =>
      i % 2 === 0
        ? {
            id: `add${i}`,
            type: 'transform.assign',
            config: { assign: { [`vars.n${i}`]: { $expr: `payload.i + ${i}` } } },
          }
        : {
            id: `echo${i}`,
            type: 'action.call',
            config: { action: 'core.echo', version: 1, input: { i: { $expr: 'payload.i' } } },
          },
    );
    await publishOverHttp(client, 'bench-ten', { steps: steps10 });

    if (wants('api')) results.api = await startRateBenchmarks({ app, db, client });

    if (wants('latency')) {
      console.log(
        '\nB. Start latency: POST /runs sent → first step.started (database clock), one at a time, idle worker',
      );
      const runs = await followRuns(app.dbUrl);
      const N = 300;
      const t0s = new Map<string, number>();
      const answered: number[] = [];
      for (let i = 0; i < N + 30; i++) {
        const t0 = Date.now();
        const res = await client.request('POST', '/api/v1/workflows/bench-one/runs', { input: { i } });
        const took = Date.now() - t0;
        const runId = (res.body as { runId: string }).runId;
        await runs.until(runId, TERMINAL);
        if (i < 30) continue; // warm-up
        t0s.set(runId, t0);
        answered.push(took);
      }
      await runs.close();
      const started = await db
        .selectFrom('run_events')
        .select(['run_id', 'at'])
        .where('run_id', 'in', [...t0s.keys()])
        .where('type', '=', 'step.started')
        .execute();
      const samples = started.map((event) => event.at.getTime() - t0s.get(event.run_id)!);
      // Where the time goes, by the database's clock: request sent → job written, → job taken by the worker, → step.started.
      const jobs = await sql<{ run_id: string; created_on: Date; started_on: Date | null }>`
        SELECT DISTINCT ON (data->>'runId') data->>'runId' AS run_id, created_on, started_on FROM pgboss.job
         WHERE name = 'pipewright-run-advance' AND data->>'runId' = ANY(${[...t0s.keys()]}::text[])
         ORDER BY data->>'runId', created_on`.execute(db); // the start's job, not a later one for the same run
      const stepAt = new Map(started.map((event) => [event.run_id, event.at.getTime()]));
      const toJob: number[] = [];
      const inQueue: number[] = [];
      const toStep: number[] = [];
      for (const job of jobs.rows) {
        if (!job.started_on || !stepAt.has(job.run_id)) continue;
        toJob.push(job.created_on.getTime() - t0s.get(job.run_id)!);
        inQueue.push(job.started_on.getTime() - job.created_on.getTime());
        toStep.push(stepAt.get(job.run_id)! - job.started_on.getTime());
      }
      const baseline = await bossLatency(app.dbUrl, N);
      console.log(latencyRow('baseline: raw pg-boss send → handler', baseline));
      console.log(latencyRow('POST /runs answered (202)', percentiles(answered)));
      console.log(latencyRow('POST /runs → first step.started', percentiles(samples), 'p50 ≤ 6 ms, p99 ≤ 25 ms'));
      console.log(latencyRow('  of which: request sent → job written', percentiles(toJob)));
      console.log(latencyRow('            job written → taken by the worker', percentiles(inQueue)));
      console.log(latencyRow('            job taken → step.started', percentiles(toStep)));
      results.latency = {
        bossSendToHandler: statsJson(baseline),
        postAnswered: statsJson(percentiles(answered)),
        startToFirstStep: statsJson(percentiles(samples)),
        breakdown: {
          requestToJob: statsJson(percentiles(toJob)),
          jobInQueue: statsJson(percentiles(inQueue)),
          jobToFirstStep: statsJson(percentiles(toStep)),
        },
      };
    }

    if (wants('throughput')) {
      console.log(
        '\nC. Throughput: 1,000 runs × 10 steps (transform.assign / core.echo) started over HTTP, 32 in flight',
      );
      const one = await measureThroughput({ db, client, workflowKey: 'bench-ten' });
      const baseline = await pgbenchBaseline(app.dbUrl);
      console.log(figureRow('baseline', baseline.label));
      console.log(loadRow('starts while the worker drains them', one.starts));
      console.log(throughputRow(one, 'one worker', '≥ 3,000 steps/s'));
      console.log(writeVolumeRow(one));
      results.throughput = { pgbenchTps: Math.round(baseline.tps), ...throughputJson(one) };
    }

    if (wants('workers2')) {
      console.log("\nC2. The same with a second worker process beside the app's own");
      const second = await startBenchWorker(app.dbUrl, { PIPEWRIGHT_DATA_DIR: path.join(dir, 'data') });
      try {
        const two = await measureThroughput({ db, client, workflowKey: 'bench-ten' });
        console.log(loadRow('starts while two workers drain them', two.starts));
        console.log(throughputRow(two, 'two workers'));
        console.log(writeVolumeRow(two));
        results.throughputTwoWorkers = throughputJson(two);
      } finally {
        await second.stop();
      }
    }

    if (wants('durable')) results.durable = await durableStepBenchmarks({ db, client, dbUrl: app.dbUrl });

    if (wants('list')) results.runsList = await runsListBenchmarks({ app, db, client });
  } catch (error) {
    console.error(app.output().slice(-4000));
    throw error;
  } finally {
    client.close();
    await db.destroy();
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const out = path.resolve(process.env.BENCH_RESULTS ?? 'bench/results/latest.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nHTTP results written to ${out}`);
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  httpBenchmarks().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
