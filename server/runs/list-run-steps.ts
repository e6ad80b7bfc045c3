import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { STEP_STATUSES } from '@/model/run-status';
import { findRunRow, ZRunId } from '@/server/runs/run-record';
import {
  afterStepOrderKey,
  decodeStepOrderCursor,
  encodeStepOrderCursor,
  startedAtKey,
  stepPageQuery,
} from '@/server/runs/step-order-cursor';

/**
 * Pages of step records. A long run has thousands (one per attempt, every forEach
 * iteration's too), each with its input and output, so the whole list at once could be
 * many megabytes; readers follow `nextCursor` (SPEC §6). 500 a page at most.
 */
export const ZRunStepsPage = stepPageQuery({ max: 500, fallback: 100 });
export const ZListRunSteps = ZRunStepsPage.extend({ id: ZRunId });

/** A step record as the API returns it (SPEC §6.1): one per attempt. */
export const ZStepRecord = z.object({
  id: z.string(),
  runId: z.string(),
  stepId: z.string(),
  path: z.string(),
  type: z.string(),
  attempt: z.number().int(),
  status: z.enum(STEP_STATUSES),
  input: z.unknown(),
  output: z.unknown(),
  error: z.unknown(),
  startedAt: z.string(),
  completedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
});
export type TStepRecord = z.infer<typeof ZStepRecord>;

/** A page of a run's step records in the order they started (attempts of one path in attempt order). */
export async function listRunSteps({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: z.input<typeof ZListRunSteps>;
}): Promise<{ items: TStepRecord[]; nextCursor: string | null }> {
  assertAllowed(ctx, 'run.read');
  const { id, limit, cursor } = ZListRunSteps.parse(input);
  const after = decodeStepOrderCursor(cursor);
  const run = await findRunRow(db, ctx.tenantId, id);
  let query = db
    .selectFrom('run_steps')
    // Named, not `*`: the record's snapshot (run_steps.snapshot) is read only by the snapshot readers.
    .select([
      'id',
      'run_id',
      'step_id',
      'path',
      'type',
      'attempt',
      'status',
      'input',
      'output',
      'error',
      'started_at',
      'completed_at',
      'duration_ms',
    ])
    .select(startedAtKey('started_at').as('started_key'))
    .where('run_id', '=', run.id);
  if (after) query = query.where(afterStepOrderKey('', after));
  const rows = await query
    .orderBy('started_at')
    .orderBy('path')
    .orderBy('attempt')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({
      id: row.id,
      runId: row.run_id,
      stepId: row.step_id,
      path: row.path,
      type: row.type,
      attempt: row.attempt,
      status: row.status,
      input: row.input ?? null,
      output: row.output ?? null,
      error: row.error ?? null,
      startedAt: row.started_at.toISOString(),
      completedAt: row.completed_at?.toISOString() ?? null,
      durationMs: row.duration_ms,
    })),
    nextCursor:
      rows.length > limit && last
        ? encodeStepOrderCursor({ startedAt: last.started_key, attempt: last.attempt, path: last.path })
        : null,
  };
}
