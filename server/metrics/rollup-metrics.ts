import 'server-only';
import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '@/server/db/database';
import { rollupRunHours } from '@/server/overview/run-hour-counts';
import { METRICS, RUN_DURATION_BUCKETS, STEP_DURATION_BUCKETS } from '@/server/metrics/metric-names';

/** How often a worker rolls the database's new work up into counters. */
export const ROLLUP_INTERVAL_MS = 5_000;
/**
 * Rows are counted once their time is this far behind the clock: a run's completed_at is set
 * just before its commit, so a window closed at once could miss a commit still on its way.
 */
export const ROLLUP_LAG_MS = 10_000;

type TDelta = { tenant_id: string; name: string; labels: Record<string, string>; value: number };

/**
 * Adds the work done since the last rollup to `metric_counters` (SPEC §8 counters and
 * histograms): runs started and finished with their durations, step attempts that ended
 * with theirs, lease recoveries. Reads only the window (watermark, now − lag] through indexes
 * on (tenant, time), so its cost follows the new work, not the table; one worker at a time
 * (the watermark row is locked NOWAIT; a worker finding it taken skips). Counters only grow,
 * whichever worker did the work and whatever retention deletes later. Returns the window.
 */
export async function rollupMetrics({
  db,
  lagMs = ROLLUP_LAG_MS,
}: {
  db: Db;
  lagMs?: number;
}): Promise<{ from: Date; to: Date; series: number } | null> {
  return db.transaction().execute(async (tx) => {
    const state = await sql<{ watermark: Date; to: Date }>`
      SELECT watermark, now() - make_interval(secs => ${lagMs / 1000}) AS to FROM metric_rollup WHERE id = 1
         FOR UPDATE SKIP LOCKED`.execute(tx);
    const row = state.rows[0];
    if (!row || row.to <= row.watermark) return null;
    const window = { from: row.watermark, to: row.to };
    const deltas = sumByKey([
      ...(await runsStarted(tx, window)),
      ...(await runsFinished(tx, window)),
      ...(await stepsEnded(tx, window)),
    ]);
    if (deltas.length > 0) {
      await sql`
        INSERT INTO metric_counters AS m (tenant_id, name, labels, value)
        SELECT d.tenant_id, d.name, d.labels, d.value FROM jsonb_to_recordset(${JSON.stringify(deltas)}::jsonb)
            AS d(tenant_id uuid, name text, labels jsonb, value double precision)
        ON CONFLICT (tenant_id, name, labels) DO UPDATE SET value = m.value + excluded.value`.execute(tx);
    }
    // The Overview's hourly counts move with the same watermark, in the same transaction.
    await rollupRunHours(tx, window);
    await sql`UPDATE metric_rollup SET watermark = ${window.to}, rolled_at = now() WHERE id = 1`.execute(tx);
    return { ...window, series: deltas.length };
  });
}

type TWindow = { from: Date; to: Date };

/** One delta per series: an upsert may not touch the same row twice (a step type's histogram comes from one row per status). */
function sumByKey(deltas: TDelta[]): TDelta[] {
  const byKey = new Map<string, TDelta>();
  for (const delta of deltas) {
    const key = JSON.stringify([delta.tenant_id, delta.name, Object.entries(delta.labels).sort()]);
    const seen = byKey.get(key);
    if (seen) seen.value += delta.value;
    else byKey.set(key, { ...delta });
  }
  return [...byKey.values()];
}

/** Per tenant, through an index that leads with tenant_id and then the time column. */
const perTenant = (inner: RawBuilder<unknown>) =>
  sql`SELECT t.id AS tenant_id, x.* FROM tenants t CROSS JOIN LATERAL (${inner}) x`;

async function runsStarted(tx: Tx, w: TWindow): Promise<TDelta[]> {
  const rows = await sql<{ tenant_id: string; workflow: string; trigger: string; n: number }>`${perTenant(sql`
    SELECT workflow_key AS workflow, coalesce(trigger->>'type', 'unknown') AS trigger, count(*)::int AS n
      FROM runs WHERE tenant_id = t.id AND started_at > ${w.from} AND started_at <= ${w.to}
     GROUP BY 1, 2`)}`.execute(tx);
  return rows.rows.map((r) => ({
    tenant_id: r.tenant_id,
    name: METRICS.runsStarted.name,
    labels: { workflow: r.workflow, trigger: r.trigger },
    value: r.n,
  }));
}

/** `count(*) FILTER (WHERE seconds <= le)` per bucket, `+Inf`, sum. */
function bucketColumns(seconds: RawBuilder<unknown>, buckets: readonly number[]) {
  return sql.join(
    [
      ...buckets.map((le, i) => sql`count(*) FILTER (WHERE ${seconds} <= ${le})::int AS ${sql.ref(`b${i}`)}`),
      sql`coalesce(sum(${seconds}), 0)::float8 AS sum`,
    ],
    sql`, `,
  );
}

function histogram(
  tenantId: string,
  name: string,
  labels: Record<string, string>,
  row: Record<string, unknown>,
  buckets: readonly number[],
  count: number,
): TDelta[] {
  return [
    ...buckets.map((le, i) => ({
      tenant_id: tenantId,
      name: `${name}_bucket`,
      labels: { ...labels, le: String(le) },
      value: Number(row[`b${i}`]),
    })),
    { tenant_id: tenantId, name: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count },
    { tenant_id: tenantId, name: `${name}_sum`, labels, value: Number(row.sum) },
    { tenant_id: tenantId, name: `${name}_count`, labels, value: count },
  ].filter((delta) => delta.value !== 0);
}

async function runsFinished(tx: Tx, w: TWindow): Promise<TDelta[]> {
  const seconds = sql`greatest(date_part('epoch', completed_at - coalesce(started_at, completed_at)), 0)`;
  const rows = await sql<{ tenant_id: string; workflow: string; status: string; n: number } & Record<string, unknown>>`
    ${perTenant(sql`
    SELECT workflow_key AS workflow, status, count(*)::int AS n, ${bucketColumns(seconds, RUN_DURATION_BUCKETS)}
      FROM runs WHERE tenant_id = t.id AND completed_at IS NOT NULL AND completed_at > ${w.from} AND completed_at <= ${w.to}
       AND status IN ('SUCCEEDED', 'FAILED', 'CANCELED')
     GROUP BY 1, 2`)}`.execute(tx);
  const deltas: TDelta[] = [];
  for (const r of rows.rows) {
    deltas.push({
      tenant_id: r.tenant_id,
      name: METRICS.runsFinished.name,
      labels: { workflow: r.workflow, status: r.status },
      value: r.n,
    });
    deltas.push(
      ...histogram(r.tenant_id, METRICS.runDuration.name, { workflow: r.workflow }, r, RUN_DURATION_BUCKETS, r.n),
    );
  }
  return deltas;
}

async function stepsEnded(tx: Tx, w: TWindow): Promise<TDelta[]> {
  const seconds = sql`coalesce(duration_ms, 0) / 1000.0`;
  const rows = await sql<
    { tenant_id: string; type: string; status: string; n: number; lost: number } & Record<string, unknown>
  >`${perTenant(sql`
    SELECT type, status, count(*)::int AS n,
           count(*) FILTER (WHERE status = 'FAILED' AND error->>'code' = 'WORKER_LOST')::int AS lost,
           ${bucketColumns(seconds, STEP_DURATION_BUCKETS)}
      FROM run_steps WHERE tenant_id = t.id AND completed_at IS NOT NULL AND completed_at > ${w.from} AND completed_at <= ${w.to}
       AND status IN ('SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELED')
     GROUP BY 1, 2`)}`.execute(tx);
  const deltas: TDelta[] = [];
  for (const r of rows.rows) {
    deltas.push({
      tenant_id: r.tenant_id,
      name: METRICS.steps.name,
      labels: { type: r.type, status: r.status },
      value: r.n,
    });
    deltas.push(...histogram(r.tenant_id, METRICS.stepDuration.name, { type: r.type }, r, STEP_DURATION_BUCKETS, r.n));
    if (r.lost > 0)
      deltas.push({ tenant_id: r.tenant_id, name: METRICS.leaseRecoveries.name, labels: {}, value: r.lost });
  }
  return deltas;
}
