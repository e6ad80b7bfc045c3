import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { AppError, toAppError } from '@/model/errors';
import { RUN_OPERATIONS } from '@/model/run-status';
import { cancelRun } from '@/server/runs/cancel-run';
import { migrateRun, ZMigrateRunBody } from '@/server/runs/migrate-run';
import { retryRun } from '@/server/runs/retry-run';
import { applyRunFilters, ZRunFilters } from '@/server/runs/run-filters';
import { ZReason } from '@/server/runs/run-operation-input';

/** At most this many runs per bulk request; the answer says how many more match. */
export const BULK_MAX_RUNS = 500;

export const ZBulkOperateRuns = z
  .object({
    operation: z.enum(['cancel', 'retry', 'migrate']),
    /** The runs picked one by one; otherwise every run matching `filter`. */
    ids: z.array(z.string().uuid('not a run id')).min(1).max(BULK_MAX_RUNS).optional(),
    filter: ZRunFilters.optional(),
    reason: ZReason,
    /** migrate: the published version to move each run to (SPEC §9), and renamed steps. */
    version: ZMigrateRunBody.shape.version.optional(),
    stepMap: ZMigrateRunBody.shape.stepMap,
    /** Only count what would be done, for the confirmation. */
    dryRun: z.boolean().default(false),
  })
  .refine((input) => input.ids !== undefined || input.filter !== undefined, {
    message: 'pick runs (ids) or give a filter',
    path: ['ids'],
  })
  // The count for the confirmation comes before anyone picked a version.
  .refine((input) => input.operation !== 'migrate' || input.dryRun || input.version !== undefined, {
    message: 'say which version to move the runs to',
    path: ['version'],
  });
export type TBulkOperateRuns = z.input<typeof ZBulkOperateRuns>;

export type TBulkResult = {
  operation: 'cancel' | 'retry' | 'migrate';
  /** Runs the selection holds whose status allows the operation. */
  eligible: number;
  /** Eligible runs beyond BULK_MAX_RUNS, left for another request. */
  remaining: number;
  done: number;
  failed: Array<{ runId: string; message: string }>;
};

const PAST = { cancel: 'canceled', retry: 'retried', migrate: 'moved to another version' } as const;

/**
 * Cancels, retries or migrates many runs: the picked ones, or all matching a runs-list filter,
 * skipping those whose status does not allow it. Each run goes through cancelRun/retryRun/
 * migrateRun on its own (own transaction, own audit entry with the reason), so one refusal (a
 * run whose position the new version cannot carry) does not undo the rest.
 * With `dryRun` it only counts, which is what the confirmation shows.
 */
export async function bulkOperateRuns({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TBulkOperateRuns;
}): Promise<TBulkResult> {
  assertAllowed(ctx, 'run.operate');
  const args = ZBulkOperateRuns.parse(input);
  const statuses = [...RUN_OPERATIONS[args.operation]];
  let query = applyRunFilters(
    db.selectFrom('runs').select('id').where('tenant_id', '=', ctx.tenantId),
    args.filter ?? {},
    ctx.tenantId,
  ).where('status', 'in', statuses);
  if (args.ids) query = query.where('id', 'in', args.ids);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(BULK_MAX_RUNS + 1)
    .execute();
  const total =
    rows.length > BULK_MAX_RUNS
      ? Number(
          (
            await applyRunFilters(
              db
                .selectFrom('runs')
                .select((eb) => eb.fn.countAll<string>().as('n'))
                .where('tenant_id', '=', ctx.tenantId),
              args.filter ?? {},
              ctx.tenantId,
            )
              .where('status', 'in', statuses)
              .executeTakeFirstOrThrow()
          ).n,
        )
      : rows.length;
  const batch = rows.slice(0, BULK_MAX_RUNS);
  const result: TBulkResult = {
    operation: args.operation,
    eligible: total,
    remaining: Math.max(0, total - batch.length),
    done: 0,
    failed: [],
  };
  if (args.dryRun) return result;
  if (batch.length === 0)
    throw new AppError(
      'CONFLICT',
      `None of the selected runs can be ${PAST[args.operation]} (only ${statuses.join(', ')}).`,
    );
  for (const { id } of batch) {
    try {
      if (args.operation === 'cancel') await cancelRun({ db, ctx, input: { id, reason: args.reason } });
      else if (args.operation === 'retry') await retryRun({ db, ctx, input: { id, reason: args.reason } });
      else
        await migrateRun({
          db,
          ctx,
          input: { id, version: args.version!, stepMap: args.stepMap, reason: args.reason },
        });
      result.done += 1;
    } catch (error) {
      // A run can move between the count and its turn (it finished, someone else acted): report it, go on.
      const appError = toAppError(error);
      if (appError.code === 'INTERNAL') throw error;
      result.failed.push({ runId: id, message: appError.message });
    }
  }
  return result;
}
