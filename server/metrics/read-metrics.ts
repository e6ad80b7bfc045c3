import 'server-only';
import { sql } from 'kysely';
import { Registry, type Metric, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { Db } from '@/server/db/database';
import { METRICS } from '@/server/metrics/metric-names';
import { WORKER_ALIVE_MS } from '@/server/health/check-health';

/** Whose metrics: one tenant (an admin's token; no tenant label), or every tenant (the metrics token; a `tenant` label). */
export type TMetricsScope = { kind: 'tenant'; tenantId: string } | { kind: 'all' };

type TSample = { labels: Record<string, string>; value: number; metricName?: string };
type TSpec = { name: string; type: 'counter' | 'gauge' | 'histogram'; help: string };

/** A metric whose values were read from the database, handed to prom-client's registry to print. */
function staticMetric(spec: TSpec, samples: TSample[]): Metric {
  const values: MetricValue<string>[] = samples.map((s) => ({
    labels: s.labels,
    value: s.value,
    ...(s.metricName ? { metricName: s.metricName } : {}),
  }));
  const object = { name: spec.name, help: spec.help, type: spec.type, values, aggregator: 'sum' };
  return {
    name: spec.name,
    help: spec.help,
    type: spec.type,
    aggregator: 'sum',
    get: async () => object as unknown as MetricObjectWithValues<MetricValue<string>>,
    reset: () => {},
  } as unknown as Metric;
}

/** A histogram's buckets in `le` order within each series (the rows come sorted as text). */
function bySeriesThenBucket(a: TSample, b: TSample): number {
  const series = (s: TSample) =>
    `${s.metricName}|${JSON.stringify(Object.entries(s.labels).filter(([k]) => k !== 'le'))}`;
  const bySeries = series(a).localeCompare(series(b));
  if (bySeries !== 0) return bySeries;
  const le = (s: TSample) => (s.labels.le === '+Inf' ? Infinity : Number(s.labels.le ?? 0));
  return le(a) - le(b);
}

/** How long a rendered page is reused: scrapes from several Prometheus servers cost one read. */
const CACHE_MS = 5_000;
const cache = new Map<string, { at: number; text: Promise<string> }>();

/**
 * The Prometheus text of SPEC §8's metrics for the scope: counters and histograms from the
 * rollup table (every worker's work, whichever web process is asked), gauges read now from
 * indexes on (tenant, status). Cached for 5 s per scope.
 */
export function renderMetrics({ db, scope }: { db: Db; scope: TMetricsScope }): Promise<string> {
  const key = scope.kind === 'all' ? '*' : scope.tenantId;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.text;
  const text = buildMetrics(db, scope);
  cache.set(key, { at: Date.now(), text });
  text.catch(() => cache.delete(key));
  return text;
}

/** Forgets the rendered pages (tests that scrape, change something and scrape again). */
export function clearMetricsCache(): void {
  cache.clear();
}

/** The Content-Type of the Prometheus text format. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

async function buildMetrics(db: Db, scope: TMetricsScope): Promise<string> {
  const tenantFilter = scope.kind === 'all' ? sql`true` : sql`t.id = ${scope.tenantId}`;
  // Labels: the tenant's slug when every tenant is shown.
  const label = (slug: string, labels: Record<string, string>) =>
    scope.kind === 'all' ? { tenant: slug, ...labels } : labels;

  const counters = await sql<{ slug: string; name: string; labels: Record<string, string>; value: number }>`
    SELECT t.slug, m.name, m.labels, m.value FROM metric_counters m JOIN tenants t ON t.id = m.tenant_id
     WHERE ${tenantFilter} ORDER BY m.name, t.slug, m.labels::text`.execute(db);
  const gauges = await sql<{ slug: string; metric: string; label: string | null; value: number }>`
    SELECT t.slug, g.metric, g.label, g.value FROM tenants t CROSS JOIN LATERAL (
      SELECT 'runs' AS metric, s.status AS label,
             (SELECT count(*) FROM runs r WHERE r.tenant_id = t.id AND r.status = s.status)::float8 AS value
        FROM unnest(ARRAY['QUEUED', 'RUNNING', 'WAITING', 'PAUSED']) AS s(status)
      UNION ALL
      SELECT 'waits', w.kind, count(*)::float8 FROM run_waits w WHERE w.tenant_id = t.id AND w.status = 'open' GROUP BY w.kind
      UNION ALL
      SELECT 'oldest', NULL, coalesce(date_part('epoch', now() - (
        SELECT min(created_at) FROM runs r WHERE r.tenant_id = t.id AND r.status = 'QUEUED')), 0)
      UNION ALL
      SELECT 'tasks', NULL, (SELECT count(*) FROM tasks k WHERE k.tenant_id = t.id AND k.status = 'open')::float8
    ) g WHERE ${tenantFilter}`.execute(db);
  const workers = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM workers
     WHERE stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => ${WORKER_ALIVE_MS / 1000})`.execute(db);

  const registry = new Registry();
  const counterSamples = (base: string, suffixes: string[] = ['']) =>
    counters.rows
      .filter((row) => suffixes.some((suffix) => row.name === `${base}${suffix}`))
      .map((row) => ({ labels: label(row.slug, row.labels), value: row.value, metricName: row.name }))
      .sort(bySeriesThenBucket);
  for (const spec of [METRICS.runsStarted, METRICS.runsFinished, METRICS.steps])
    registry.registerMetric(staticMetric(spec, counterSamples(spec.name)));
  // Label-less: a tenant scope shows 0 rather than no series, so `increase()` has something to read.
  const recoveries = counterSamples(METRICS.leaseRecoveries.name);
  registry.registerMetric(
    staticMetric(
      METRICS.leaseRecoveries,
      recoveries.length === 0 && scope.kind === 'tenant' ? [{ labels: {}, value: 0 }] : recoveries,
    ),
  );
  for (const spec of [METRICS.runDuration, METRICS.stepDuration])
    registry.registerMetric(staticMetric(spec, counterSamples(spec.name, ['_bucket', '_sum', '_count'])));

  const gauge = (metric: string, labelName?: string) =>
    gauges.rows
      .filter((row) => row.metric === metric)
      .map((row) => ({
        labels: label(row.slug, labelName && row.label !== null ? { [labelName]: row.label } : {}),
        value: Number(row.value),
      }));
  registry.registerMetric(staticMetric(METRICS.runs, gauge('runs', 'status')));
  registry.registerMetric(staticMetric(METRICS.waitsOpen, gauge('waits', 'kind')));
  registry.registerMetric(
    staticMetric(
      METRICS.queueDepth,
      gauge('runs', 'status')
        .filter((sample) => sample.labels.status === 'QUEUED')
        .map((sample) => ({
          labels: Object.fromEntries(Object.entries(sample.labels).filter(([name]) => name !== 'status')),
          value: sample.value,
        })),
    ),
  );
  registry.registerMetric(staticMetric(METRICS.queueOldest, gauge('oldest')));
  registry.registerMetric(staticMetric(METRICS.tasksOpen, gauge('tasks')));
  registry.registerMetric(staticMetric(METRICS.workers, [{ labels: {}, value: workers.rows[0]?.n ?? 0 }]));
  return registry.metrics();
}
