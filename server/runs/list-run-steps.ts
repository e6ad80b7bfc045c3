import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { STEP_STATUSES } from '@/server/runtime/run-status';
import { findRunRow, ZRunId } from '@/server/runs/run-record';

export const ZListRunSteps = z.object({ id: ZRunId });

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

/** A run's step records in the order they started (attempts of one path in attempt order). */
export async function listRunSteps({ db, ctx, input }: { db: DbOrTx; ctx: TAuthContext; input: z.infer<typeof ZListRunSteps> }): Promise<{ items: TStepRecord[] }> {
  assertAllowed(ctx, 'run.read');
  const run = await findRunRow(db, ctx.tenantId, input.id);
  const rows = await db.selectFrom('run_steps').selectAll().where('run_id', '=', run.id).orderBy('started_at').orderBy('path').orderBy('attempt').execute();
  return {
    items: rows.map((row) => ({
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
  };
}
