import 'server-only';
import { sql } from 'kysely';
import { AppError } from '@/model/errors';
import type { Db } from '@/server/db/database';
import { REDACTED } from '@/server/runtime/interpreter/redact-snapshot';
import { hasSnapshot, snapshotAsTaken, snapshotTruncated } from '@/server/runtime/run-store/stored-snapshot';
import { ZRunError } from '@/model/definition/envelope';
import type { TDryEnvelope } from '@/server/runtime/dry-run/run-dry';
import { z } from 'zod';

/** The envelope a recorded run had just before a step, and which of its values are redacted. */
export type TEnvelopeBeforeStep = {
  envelope: TDryEnvelope;
  /** The step whose snapshot it is, or null when the step was the run's first. */
  afterStepId: string | null;
  /** JSON Pointers of the values the snapshot holds as "[redacted]" (settings.redact, secret-looking keys). */
  redacted: string[];
};

const ZSnapshot = z.object({
  payload: z.unknown(),
  vars: z.record(z.unknown()).default({}),
  error: ZRunError.nullable().default(null),
  meta: z.object({ state: z.string().nullable().optional() }).passthrough().optional(),
});

/**
 * Reads the snapshot taken after the last step that succeeded before `stepId` first started in
 * run `runId` (ordered by the run's gap-free event log, so a block's snapshot counts only once
 * the block has ended). Snapshots are redacted as the run page shows them: a redacted value
 * stays "[redacted]" and is listed. 404 for a run of another workflow or tenant; 422 when the
 * run never reached the step or the snapshot was truncated.
 */
export async function envelopeBeforeStep(args: {
  db: Db;
  tenantId: string;
  workflowKey: string;
  runId: string;
  stepId: string;
}): Promise<TEnvelopeBeforeStep> {
  const { db, tenantId, runId, stepId } = args;
  const run = await db
    .selectFrom('runs')
    .select(['id', 'workflow_key', 'input', 'state'])
    .where('id', '=', runId)
    .where('tenant_id', '=', tenantId)
    .where('workflow_key', '=', args.workflowKey)
    .executeTakeFirst();
  if (!run) throw new AppError('NOT_FOUND', `No run ${runId} of workflow "${args.workflowKey}".`);
  const started = await db
    .selectFrom('run_events')
    .select('seq')
    .where('run_id', '=', runId)
    .where('tenant_id', '=', tenantId)
    .where('type', '=', 'step.started')
    .where('step_id', '=', stepId)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  if (!started) {
    throw new AppError('VALIDATION', `fromRun: run ${runId} never reached step "${stepId}".`, [
      { path: 'fromRun', message: `run ${runId} never reached step "${stepId}"` },
    ]);
  }
  const before = await db
    .selectFrom('run_events as e')
    .innerJoin('run_steps as r', (join) =>
      join
        .onRef('r.run_id', '=', 'e.run_id')
        .onRef('r.path', '=', sql<string>`e.data->>'path'`)
        .onRef('r.attempt', '=', sql<number>`(e.data->>'attempt')::int`),
    )
    .leftJoin('run_snapshots as s', 's.step_record_id', 'r.id')
    .select(['e.step_id', snapshotAsTaken(run, tenantId), snapshotTruncated()])
    .where(hasSnapshot())
    .where('e.run_id', '=', runId)
    .where('e.tenant_id', '=', tenantId)
    .where('e.type', '=', 'step.succeeded')
    .where('e.seq', '<', started.seq)
    .orderBy('e.seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!before) {
    return { envelope: { payload: run.input, vars: {}, error: null, state: null }, afterStepId: null, redacted: [] };
  }
  if (before.truncated) {
    const message = `fromRun: the snapshot before step "${stepId}" was truncated; pass the envelope instead.`;
    throw new AppError('VALIDATION', message, [{ path: 'fromRun', message }]);
  }
  const snapshot = ZSnapshot.parse(before.snapshot);
  return {
    envelope: {
      payload: snapshot.payload,
      vars: snapshot.vars,
      error: snapshot.error,
      state: snapshot.meta?.state ?? null,
    },
    afterStepId: before.step_id,
    redacted: redactedPointers({ payload: snapshot.payload, vars: snapshot.vars }),
  };
}

function redactedPointers(value: unknown, at = ''): string[] {
  if (value === REDACTED) return [at];
  if (Array.isArray(value)) return value.flatMap((item, index) => redactedPointers(item, `${at}/${index}`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) =>
      redactedPointers(item, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`),
    );
  }
  return [];
}
