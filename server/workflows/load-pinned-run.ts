import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { AppError } from '@/model/errors';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { ZPinnedEnvelope, type TPinnedEnvelope, type TPinnedRun, type TPinnedStep } from '@/model/testing/pinned-run';
import { ZRunId } from '@/server/runs/run-record';
import { snapshotAsTaken, snapshotTruncated } from '@/server/runtime/run-store/stored-snapshot';

/** At most this many step events are read: enough for every step of a workflow, not every iteration of a huge forEach. */
export const PINNED_EVENT_LIMIT = 5_000;

export const ZLoadPinnedRun = z.object({ key: ZWorkflowKey, runId: ZRunId });
export type TLoadPinnedRun = z.input<typeof ZLoadPinnedRun>;

const ZEventRef = z.object({ path: z.string(), attempt: z.coerce.number().int() });

/**
 * A recorded run of workflow `key`, step by step, for "debug in editor" (issue #18): what each
 * step received (the redacted snapshot after the last step that succeeded before it first
 * started, ordered by the run's gap-free event log as `envelopeBeforeStep` does), its recorded
 * input, output and error. Another tenant's run, or a run of another workflow, is NOT_FOUND.
 */
export async function loadPinnedRun({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TLoadPinnedRun;
}): Promise<TPinnedRun> {
  assertAllowed(ctx, 'run.read');
  const parsed = ZLoadPinnedRun.safeParse(input);
  if (!parsed.success) throw new AppError('NOT_FOUND', `No run ${String(input.runId)} of workflow "${input.key}".`);
  const { key, runId } = parsed.data;
  const run = await db
    .selectFrom('runs')
    .select(['id', 'workflow_key', 'version', 'status', 'is_test', 'created_at', 'input'])
    .where('tenant_id', '=', ctx.tenantId)
    .where('id', '=', runId)
    .where('workflow_key', '=', key)
    .executeTakeFirst();
  if (!run) throw new AppError('NOT_FOUND', `No run ${runId} of workflow "${key}".`);

  const events = await db
    .selectFrom('run_events')
    .select(['seq', 'type', 'step_id', 'data'])
    .where('tenant_id', '=', ctx.tenantId)
    .where('run_id', '=', runId)
    .where('type', 'in', ['step.started', 'step.succeeded'])
    .orderBy('seq')
    .limit(PINNED_EVENT_LIMIT + 1)
    .execute();
  const partial = events.length > PINNED_EVENT_LIMIT;
  const records = await db
    .selectFrom('run_steps as r')
    .leftJoin('run_snapshots as s', (join) =>
      join.onRef('s.step_record_id', '=', 'r.id').on('s.tenant_id', '=', ctx.tenantId),
    )
    .select([
      'r.step_id',
      'r.path',
      'r.attempt',
      'r.status',
      'r.input',
      'r.output',
      'r.error',
      snapshotAsTaken(run, ctx.tenantId),
      snapshotTruncated(),
    ])
    .where('r.tenant_id', '=', ctx.tenantId)
    .where('r.run_id', '=', runId)
    .orderBy('r.started_at')
    .orderBy(sql`r.attempt`)
    // The events read name at most this many records (a started and a succeeded event each).
    .limit(PINNED_EVENT_LIMIT)
    .execute();
  const byRef = new Map(records.map((record) => [`${record.path}#${record.attempt}`, record]));
  const counts = await db
    .selectFrom('run_steps')
    .select(['step_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('tenant_id', '=', ctx.tenantId)
    .where('run_id', '=', runId)
    .groupBy('step_id')
    .execute();
  const runsOf = new Map(counts.map((count) => [count.step_id, Number(count.n)]));

  // Walk the log: the envelope a step reads is the last snapshot taken before it first started.
  let current: TPinnedEnvelope | null = { payload: run.input, vars: {}, error: null };
  const steps: Record<string, TPinnedStep> = {};
  const firstRef = new Map<string, string>();
  for (const event of events.slice(0, PINNED_EVENT_LIMIT)) {
    const ref = ZEventRef.safeParse(event.data);
    if (!ref.success || !event.step_id) continue;
    const record = byRef.get(`${ref.data.path}#${ref.data.attempt}`);
    if (event.type === 'step.succeeded') {
      if (record?.truncated) current = null;
      else if (record?.snapshot) {
        const snapshot = ZPinnedEnvelope.safeParse(record.snapshot);
        current = snapshot.success ? snapshot.data : null;
      }
      continue;
    }
    if (firstRef.has(event.step_id)) continue;
    firstRef.set(event.step_id, ref.data.path);
    steps[event.step_id] = {
      status: record?.status ?? 'RUNNING',
      path: ref.data.path,
      input: record?.input ?? null,
      output: record?.output ?? null,
      error: record?.error ?? null,
      envelope: current,
      runs: runsOf.get(event.step_id) ?? 1,
    };
  }
  // The latest attempt at the step's first path says how it ended (a retried step's last try).
  for (const record of records) {
    const step = steps[record.step_id];
    if (step && step.path === record.path) {
      step.status = record.status;
      step.output = record.output ?? null;
      step.error = record.error ?? null;
    }
  }
  return {
    runId: run.id,
    workflowKey: run.workflow_key,
    version: run.version,
    status: run.status,
    test: run.is_test,
    createdAt: run.created_at.toISOString(),
    input: run.input,
    steps,
    partial,
  };
}
