import 'server-only';
import { sql } from 'kysely';
import type { api, tracing } from '@opentelemetry/sdk-node';
import type { Db } from '@/server/db/database';
import { attemptSpanIdOf, runSpanIdOf, stepSpanIdOf, traceIdOf, tracingEnabled } from '@/server/tracing/trace-ids';

/** How often a worker exports the spans of runs that ended. */
export const TRACE_EXPORT_INTERVAL_MS = 5_000;
/** Runs whose end is this far behind the clock are exported (a commit on its way is not missed). */
const LAG_MS = 10_000;
/** Runs per pass; the next pass goes on from the watermark. */
const RUNS_PER_PASS = 500;

type TRunRow = {
  id: string;
  tenant_id: string;
  workflow_key: string;
  version: number;
  status: string;
  parent_run_id: string | null;
  error: { code?: string; message?: string } | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date;
};
type TStepRow = {
  id: string;
  run_id: string;
  step_id: string;
  path: string;
  type: string;
  attempt: number;
  status: string;
  error: { code?: string; message?: string } | null;
  started_at: Date;
  completed_at: Date | null;
};

/**
 * The ids the next span gets: the SDK asks its IdGenerator for them, and the spans written here
 * carry ids derived from the run (trace-ids.ts) so that an outgoing call's traceparent, sent by
 * whichever worker ran the step, names a span that exists.
 */
class DerivedIds implements tracing.IdGenerator {
  next: { traceId: string; spanId: string } = { traceId: '', spanId: '' };
  generateTraceId = () => this.next.traceId;
  generateSpanId = () => this.next.spanId;
}

type TExporting = { provider: tracing.BasicTracerProvider; ids: DerivedIds; api: typeof api };
let exporting: TExporting | null = null;

/**
 * The process's tracer provider with the OTLP/HTTP (JSON) exporter, made on first use. The SDK
 * is imported here, not with the module: it is ~22 MB of a worker's resident memory, and only a
 * worker with OTEL_EXPORTER_OTLP_ENDPOINT set ever exports (ARCHITECTURE.md, "Worker memory").
 */
async function provider(): Promise<TExporting> {
  if (!exporting) {
    const [{ api, resources, tracing }, { OTLPTraceExporter }] = await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
    ]);
    const ids = new DerivedIds();
    const provider = new tracing.BasicTracerProvider({
      idGenerator: ids,
      resource: resources.resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'pipewright' }),
      // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (…/v1/traces) and OTEL_EXPORTER_OTLP_HEADERS itself.
      spanProcessors: [
        new tracing.BatchSpanProcessor(new OTLPTraceExporter(), { maxExportBatchSize: 512, maxQueueSize: 100_000 }),
      ],
    });
    exporting ??= { provider, ids, api };
  }
  return exporting;
}

/** Stops the exporter (tests; a worker's stop). */
export async function closeTraceExport(): Promise<void> {
  const current = exporting;
  exporting = null;
  if (current) await current.provider.shutdown();
}

/**
 * Exports the spans of runs that ended since the last pass (SPEC §8), when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set: one span per run from its start to its end (whatever
 * workers and waits it went through; a child run links to its parent's), one per step path
 * under it, and one per attempt under that, with the times the database recorded. Derived after
 * the fact from the run's records, so the interpreter carries no tracing code; one worker at a
 * time (the watermark row locked SKIP LOCKED). A collector that is down loses those spans: the
 * watermark moves on. Returns how many runs were exported.
 */
export async function exportRunTraces({ db, lagMs = LAG_MS }: { db: Db; lagMs?: number }): Promise<number> {
  if (!tracingEnabled()) return 0;
  return db.transaction().execute(async (tx) => {
    const state = await sql<{ watermark: Date; to: Date }>`
      SELECT watermark, now() - make_interval(secs => ${lagMs / 1000}) AS to FROM trace_export WHERE id = 1
         FOR UPDATE SKIP LOCKED`.execute(tx);
    const row = state.rows[0];
    if (!row || row.to <= row.watermark) return 0;
    const runs = await sql<TRunRow>`
      SELECT r.* FROM tenants t CROSS JOIN LATERAL (
        SELECT id, tenant_id, workflow_key, version, status, parent_run_id, error, created_at, started_at, completed_at FROM runs
         WHERE tenant_id = t.id AND completed_at IS NOT NULL AND completed_at > ${row.watermark} AND completed_at <= ${row.to}
           AND status IN ('SUCCEEDED', 'FAILED', 'CANCELED')
         ORDER BY completed_at LIMIT ${RUNS_PER_PASS}) r
      ORDER BY r.completed_at LIMIT ${RUNS_PER_PASS}`.execute(tx);
    const ids = runs.rows.map((run) => run.id);
    const steps =
      ids.length === 0
        ? []
        : (
            await sql<TStepRow>`
              SELECT id, run_id, step_id, path, type, attempt, status, error, started_at, completed_at FROM run_steps
               WHERE run_id = ANY(${ids}::uuid[]) ORDER BY run_id, started_at, path, attempt`.execute(tx)
          ).rows;
    if (runs.rows.length > 0) {
      const otel = await provider();
      for (const run of runs.rows)
        writeRunSpans(
          otel,
          run,
          steps.filter((step) => step.run_id === run.id),
        );
      await otel.provider.forceFlush();
    }
    // A full page may have more runs at its last instant: resume from there, not from `to`.
    const next = runs.rows.length === RUNS_PER_PASS ? runs.rows[runs.rows.length - 1]!.completed_at : row.to;
    await sql`UPDATE trace_export SET watermark = ${next}, exported_at = now() WHERE id = 1`.execute(tx);
    return runs.rows.length;
  });
}

function writeRunSpans({ provider: tracerProvider, ids, api }: TExporting, run: TRunRow, steps: TStepRow[]): void {
  const tracer = tracerProvider.getTracer('pipewright');
  const traceId = traceIdOf(run.id);
  const start = (
    span: { traceId: string; spanId: string },
    parentSpanId: string | null,
    name: string,
    options: api.SpanOptions,
  ) => {
    ids.next = span;
    const parent = parentSpanId
      ? api.trace.setSpanContext(api.ROOT_CONTEXT, {
          traceId,
          spanId: parentSpanId,
          traceFlags: api.TraceFlags.SAMPLED,
        })
      : api.ROOT_CONTEXT;
    return tracer.startSpan(name, options, parent);
  };
  const failed = (error: { code?: string; message?: string } | null) => ({
    code: api.SpanStatusCode.ERROR,
    message: `${error?.code ?? 'ERROR'}: ${error?.message ?? ''}`.slice(0, 500),
  });

  const runSpanId = runSpanIdOf(run.id);
  const runSpan = start({ traceId, spanId: runSpanId }, null, `run ${run.workflow_key}`, {
    kind: api.SpanKind.INTERNAL,
    startTime: run.started_at ?? run.created_at,
    attributes: {
      'pipewright.tenant_id': run.tenant_id,
      'pipewright.run_id': run.id,
      'pipewright.workflow': run.workflow_key,
      'pipewright.version': run.version,
      'pipewright.status': run.status,
      'pipewright.queued_ms': run.started_at ? run.started_at.getTime() - run.created_at.getTime() : 0,
    },
    links: run.parent_run_id
      ? [
          {
            context: {
              traceId: traceIdOf(run.parent_run_id),
              spanId: runSpanIdOf(run.parent_run_id),
              traceFlags: api.TraceFlags.SAMPLED,
            },
            attributes: { 'pipewright.link': 'parent run' },
          },
        ]
      : [],
  });
  if (run.status === 'FAILED') runSpan.setStatus(failed(run.error));

  const byPath = new Map<string, TStepRow[]>();
  for (const step of steps) byPath.set(step.path, [...(byPath.get(step.path) ?? []), step]);
  for (const [path, attempts] of byPath) {
    const first = attempts[0]!;
    const last = attempts[attempts.length - 1]!;
    const stepSpan = start(
      { traceId, spanId: stepSpanIdOf(run.id, path) },
      runSpanId,
      `${first.type} ${first.step_id}`,
      {
        startTime: first.started_at,
        attributes: {
          'pipewright.run_id': run.id,
          'pipewright.step_id': first.step_id,
          'pipewright.step_path': path,
          'pipewright.step_type': first.type,
          'pipewright.attempts': attempts.length,
          'pipewright.status': last.status,
        },
      },
    );
    for (const attempt of attempts) {
      const span = start(
        { traceId, spanId: attemptSpanIdOf(attempt.id) },
        stepSpanIdOf(run.id, path),
        `attempt ${attempt.attempt}`,
        {
          startTime: attempt.started_at,
          attributes: { 'pipewright.attempt': attempt.attempt, 'pipewright.status': attempt.status },
        },
      );
      if (attempt.status === 'FAILED') span.setStatus(failed(attempt.error));
      span.end(attempt.completed_at ?? run.completed_at);
    }
    if (last.status === 'FAILED') stepSpan.setStatus(failed(last.error));
    stepSpan.end(last.completed_at ?? run.completed_at);
  }
  runSpan.end(run.completed_at);
}
