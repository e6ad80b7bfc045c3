import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as metricsRoute from '@/app/api/v1/metrics/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { rollupMetrics } from '@/server/metrics/rollup-metrics';
import { clearMetricsCache } from '@/server/metrics/read-metrics';
import { purgeExpiredRuns } from '@/server/retention/purge-expired-runs';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

let t: TTestDatabase;
let a: TAuthContext & { slug?: string };
let b: TAuthContext;
const tokens = {} as Record<'admin' | 'viewer' | 'otherAdmin', string>;
const METRICS_TOKEN = 'metrics-token-for-the-suite-0123456789';

type TSample = { name: string; labels: Record<string, string>; value: number };

/** Parses the Prometheus text format: `# HELP`/`# TYPE` lines and `name{labels} value` samples. */
function parse(text: string): { samples: TSample[]; types: Map<string, string> } {
  const samples: TSample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`Not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]!] = label[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { samples, types };
}
function value(samples: TSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}
async function scrape(token: string) {
  clearMetricsCache();
  const response = await metricsRoute.GET(
    new Request('http://localhost/api/v1/metrics', { headers: { authorization: `Bearer ${token}` } }),
    { params: Promise.resolve({}) },
  );
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text,
    ...parse(response.ok ? text : ''),
  };
}
async function run(ctx: TAuthContext, key: string, input: unknown = {}) {
  const { runId } = await startRun({ tenantId: ctx.tenantId, workflowKey: key, input, trigger: { type: 'api' } });
  await driveRun({ db: t.db, runId });
  return runId;
}

beforeAll(async () => {
  t = await createTestDatabase('metrics');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_METRICS_TOKEN = METRICS_TOKEN;
  a = (await createTenantWithMember({ db: t.db, role: 'admin', slug: 'metrics-a' })).ctx;
  b = (await createTenantWithMember({ db: t.db, role: 'admin', slug: 'metrics-b' })).ctx;
  tokens.admin = (await createApiToken({ db: t.db, ctx: a, input: { name: 'admin', role: 'admin' } })).token;
  tokens.viewer = (await createApiToken({ db: t.db, ctx: a, input: { name: 'viewer', role: 'viewer' } })).token;
  tokens.otherAdmin = (await createApiToken({ db: t.db, ctx: b, input: { name: 'b', role: 'admin' } })).token;
  await publishWorkflow({
    db: t.db,
    ctx: a,
    key: 'maybe-fail',
    document: {
      steps: [
        { id: 'set', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } },
        {
          id: 'check',
          type: 'control.if',
          config: {
            condition: { $expr: 'payload.fail = true' },
            then: [{ id: 'boom', type: 'control.fail', config: { code: 'NOPE', message: 'asked to fail' } }],
          },
        },
      ],
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx: a,
    key: 'approve',
    document: {
      steps: [
        {
          id: 'ask',
          type: 'human.task',
          config: { title: 'OK?', form: { type: 'object' }, outcomes: ['yes'], assignee: { role: 'admin' } },
        },
      ],
    },
  });
  await publishWorkflow({
    db: t.db,
    ctx: b,
    key: 'b-only',
    document: { steps: [{ id: 'set', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
  });
});
beforeEach(() => clearMetricsCache());
afterAll(async () => {
  delete process.env.PIPEWRIGHT_METRICS_TOKEN;
  await closeExpressionPool();
  await t.close();
});

describe('GET /api/v1/metrics (SPEC §8)', () => {
  it("counts every worker's work from the database, scoped to the admin token's tenant, in Prometheus text", async () => {
    await run(a, 'maybe-fail', { fail: false });
    await run(a, 'maybe-fail', { fail: false });
    await run(a, 'maybe-fail', { fail: true });
    await run(a, 'approve'); // waits on a task
    await run(b, 'b-only');
    // One run queued and not yet started.
    await startRun({ tenantId: a.tenantId, workflowKey: 'maybe-fail', input: {}, trigger: { type: 'api' } });
    const rolled = await rollupMetrics({ db: t.db, lagMs: 0 });
    expect(rolled?.series).toBeGreaterThan(0);

    const { status, type, samples, types } = await scrape(tokens.admin);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(value(samples, 'pipewright_runs_started_total', { workflow: 'maybe-fail', trigger: 'api' })).toBe(3);
    expect(value(samples, 'pipewright_runs_started_total', { workflow: 'approve', trigger: 'api' })).toBe(1);
    expect(value(samples, 'pipewright_runs_finished_total', { workflow: 'maybe-fail', status: 'SUCCEEDED' })).toBe(2);
    expect(value(samples, 'pipewright_runs_finished_total', { workflow: 'maybe-fail', status: 'FAILED' })).toBe(1);
    expect(value(samples, 'pipewright_steps_total', { type: 'transform.assign', status: 'SUCCEEDED' })).toBe(3);
    expect(value(samples, 'pipewright_steps_total', { type: 'control.fail', status: 'FAILED' })).toBe(1);
    // Histogram: cumulative buckets ending in +Inf = _count.
    const buckets = samples.filter(
      (s) => s.name === 'pipewright_run_duration_seconds_bucket' && s.labels.workflow === 'maybe-fail',
    );
    expect(buckets.at(-1)?.labels.le).toBe('+Inf');
    expect(buckets.at(-1)?.value).toBe(3);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(value(samples, 'pipewright_run_duration_seconds_count', { workflow: 'maybe-fail' })).toBe(3);
    expect(value(samples, 'pipewright_step_duration_seconds_count', { type: 'transform.assign' })).toBe(3);
    // Gauges, read now.
    expect(value(samples, 'pipewright_runs', { status: 'WAITING' })).toBe(1);
    expect(value(samples, 'pipewright_runs', { status: 'QUEUED' })).toBe(1);
    expect(value(samples, 'pipewright_queue_depth')).toBe(1);
    expect(value(samples, 'pipewright_queue_oldest_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(samples, 'pipewright_waits_open', { kind: 'task' })).toBe(1);
    expect(value(samples, 'pipewright_tasks_open')).toBe(1);
    expect(value(samples, 'pipewright_workers')).toBe(0);
    expect(value(samples, 'pipewright_lease_recoveries_total')).toBe(0);
    expect(types.get('pipewright_run_duration_seconds')).toBe('histogram');
    expect(types.get('pipewright_runs_started_total')).toBe('counter');
    expect(types.get('pipewright_queue_depth')).toBe('gauge');
    // Nothing of tenant b, and no tenant label.
    expect(samples.some((s) => s.labels.workflow === 'b-only' || 'tenant' in s.labels)).toBe(false);

    // A second rollup counts nothing twice.
    await rollupMetrics({ db: t.db, lagMs: 0 });
    const again = await scrape(tokens.admin);
    expect(value(again.samples, 'pipewright_runs_started_total', { workflow: 'maybe-fail', trigger: 'api' })).toBe(3);
  });

  it('the metrics token sees every tenant with a tenant label; others are refused', async () => {
    const all = await scrape(METRICS_TOKEN);
    expect(all.status).toBe(200);
    expect(
      value(all.samples, 'pipewright_runs_started_total', { tenant: 'metrics-b', workflow: 'b-only', trigger: 'api' }),
    ).toBe(1);
    expect(
      value(all.samples, 'pipewright_runs_started_total', {
        tenant: 'metrics-a',
        workflow: 'maybe-fail',
        trigger: 'api',
      }),
    ).toBe(3);
    expect(value(all.samples, 'pipewright_workers')).toBe(0);
    expect((await scrape(tokens.viewer)).status).toBe(403);
    expect((await scrape('pw_not-a-token-at-all-000000000000')).status).toBe(401);
    expect((await scrape(`${METRICS_TOKEN}x`)).status).toBe(401);
    const other = await scrape(tokens.otherAdmin);
    expect(other.samples.some((s) => s.labels.workflow === 'maybe-fail')).toBe(false);
  });

  it('counters never go down when retention deletes the runs they counted', async () => {
    await sql`UPDATE runs SET completed_at = now() - interval '40 days' WHERE tenant_id = ${a.tenantId} AND completed_at IS NOT NULL`.execute(
      t.db,
    );
    // Moved back in time, they are not counted again by the next window either.
    expect((await purgeExpiredRuns({ db: t.db })).deleted).toBe(3);
    await rollupMetrics({ db: t.db, lagMs: 0 });
    const after = await scrape(tokens.admin);
    expect(
      value(after.samples, 'pipewright_runs_finished_total', { workflow: 'maybe-fail', status: 'SUCCEEDED' }),
    ).toBe(2);
    expect(value(after.samples, 'pipewright_runs_started_total', { workflow: 'maybe-fail', trigger: 'api' })).toBe(3);
  });
});
