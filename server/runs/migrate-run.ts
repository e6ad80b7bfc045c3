import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db, Tx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { actorLabel } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { assertCanOperate } from '@/model/run-status';
import { allStepIds } from '@/model/designer/step-tree';
import { ZExecution } from '@/server/runtime/execution/execution-state';
import {
  planMigration,
  type TMigrationPlan,
  type TMigrationProblem,
} from '@/server/runtime/execution/migrate-execution';
import { isPathAhead } from '@/server/runtime/execution/path-ahead';
import { loadRunVersion } from '@/server/runtime/load-run-version';
import { appendRunEvent, notifyRunChanged } from '@/server/runtime/run-store/append-run-event';
import { enqueueAdvance } from '@/server/runtime/queue/run-queue';
import { rewriteRunPaths } from '@/server/runtime/run-store/rewrite-run-paths';
import { restoreAttempts } from '@/server/runtime/run-store/restore-attempts';
import { lockRun } from '@/server/runs/lock-run';
import { ZRunId } from '@/server/runs/run-record';
import { ZReason } from '@/server/runs/run-operation-input';

export const ZMigrateRunBody = z.object({
  version: z.number().int().min(1),
  /** Old step id → the id it has in the new version, for steps that were renamed. */
  stepMap: z.record(z.string().min(1).max(100), z.string().min(1).max(100)).default({}),
  reason: ZReason,
});
export const ZMigrateRun = ZMigrateRunBody.extend({ id: ZRunId });
export type TMigrateRunInput = z.input<typeof ZMigrateRun>;

export const ZMigrateRunResult = z.object({
  runId: z.string(),
  status: z.string(),
  from: z.number().int(),
  to: z.number().int(),
});
export type TMigrateRunResult = z.infer<typeof ZMigrateRunResult>;

/**
 * Moves a WAITING or PAUSED run to another published version of its workflow (SPEC §9): its
 * position, attempts and every stored step path are carried over by step id (or `stepMap`),
 * its vars stay as they are, and it goes on in the new version from where it is. A run whose
 * position cannot be carried is left alone: 409 with `details.problems`, one per step.
 * Like the other operator transitions, it raises the fence, so a worker that lost the run's
 * lease can write nothing more into it.
 */
export async function migrateRun({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TMigrateRunInput;
}): Promise<TMigrateRunResult> {
  assertAllowed(ctx, 'run.operate');
  const args = ZMigrateRun.parse(input);
  return db.transaction().execute(async (tx) => {
    const run = await lockRun(tx, ctx.tenantId, args.id);
    assertCanOperate('migrate', run.status);
    if (run.held)
      throw new AppError('CONFLICT', 'A worker is advancing this run right now; migrate it once it waits again.');
    if (args.version === run.version) throw new AppError('CONFLICT', `The run is already on version ${run.version}.`);
    // A test run runs its own copy of a draft; a published version is started as a run of its own.
    if (run.is_test)
      throw new AppError('CONFLICT', 'A test run cannot be migrated; start a run of the version instead.');
    const target = await tx
      .selectFrom('workflow_versions')
      .select(['id', 'status'])
      .where('tenant_id', '=', ctx.tenantId)
      .where('workflow_id', '=', run.workflow_id)
      .where('version', '=', args.version)
      .executeTakeFirst();
    if (!target) throw new AppError('NOT_FOUND', `Workflow "${run.workflow_key}" has no version ${args.version}.`);
    if (target.status !== 'published')
      throw new AppError('CONFLICT', `Version ${args.version} is a draft; only a published version can take runs.`);
    const [from, to] = await Promise.all([
      loadRunVersion({ db, versionId: run.version_id }),
      loadRunVersion({ db, versionId: target.id }),
    ]);
    assertStepMap(
      args.stepMap,
      new Set(allStepIds(from.steps)),
      new Set(allStepIds(to.steps)),
      run.version,
      args.version,
    );

    const stored = await tx
      .selectFrom('runs')
      .select(['execution', 'lease_owner'])
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    const plan = planMigration({
      from: from.steps,
      to: to.steps,
      execution: ZExecution.parse(stored.execution),
      stepMap: args.stepMap,
    });
    plan.problems.push(...(await stepsThatWouldRunAgain(tx, run.id, plan)));
    if (plan.problems.length > 0)
      throw new AppError(
        'CONFLICT',
        `The run cannot move to version ${args.version}: ${plan.problems.map((p) => `"${p.stepId}" (${p.path}): ${p.reason}`).join('; ')}.`,
        { problems: plan.problems },
      );

    // Records first: the counts put back are read at the paths the new version gives them.
    await rewriteRunPaths(tx, { runId: run.id, fromVersion: run.version, translate: plan.translatePath });
    await restoreAttempts(tx, run.id, plan.execution);
    // The fence goes up, so a worker whose lease merely expired (frozen mid-pass) has every
    // write refused. Unlike the other transitions, the expired lease stays: a WAITING run with
    // a lease on it is how a pass that never released shows it needs another (its due wait may
    // already be closed, see runnable), and a job is sent for it now rather than at the reaper.
    await tx
      .updateTable('runs')
      .set({
        version_id: target.id,
        version: args.version,
        execution: JSON.stringify(plan.execution),
        fence: sql`fence + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', run.id)
      .execute();
    if (stored.lease_owner !== null) await enqueueAdvance({ db: tx, runId: run.id });
    const data = {
      from: run.version,
      to: args.version,
      by: actorLabel(ctx.actor),
      ...(Object.keys(args.stepMap).length > 0 ? { stepMap: args.stepMap } : {}),
      ...(args.reason ? { reason: args.reason } : {}),
    };
    await appendRunEvent(tx, { runId: run.id, tenantId: run.tenant_id, type: 'run.migrated', data });
    await recordAudit({
      db: tx,
      ctx,
      entry: { action: 'run.migrated', targetType: 'run', targetId: run.id, data },
    });
    await notifyRunChanged(tx, run.id);
    return { runId: run.id, status: run.status, from: run.version, to: args.version };
  });
}

/** A stepMap names steps of the old version, each moved onto a different step of the new one. */
function assertStepMap(
  stepMap: Record<string, string>,
  fromIds: ReadonlySet<string>,
  toIds: ReadonlySet<string>,
  fromVersion: number,
  toVersion: number,
): void {
  const seen = new Map<string, string>();
  for (const [oldId, newId] of Object.entries(stepMap)) {
    if (!fromIds.has(oldId))
      throw new AppError('VALIDATION', `stepMap.${oldId}: version ${fromVersion} has no step "${oldId}".`);
    if (!toIds.has(newId))
      throw new AppError('VALIDATION', `stepMap.${oldId}: version ${toVersion} has no step "${newId}".`);
    const other = seen.get(newId);
    if (other !== undefined)
      throw new AppError('VALIDATION', `stepMap: "${other}" and "${oldId}" both map to "${newId}".`);
    seen.set(newId, oldId);
  }
}

/**
 * The steps that already ran to an end (succeeded, or were skipped) and that the new version
 * places where the run has yet to go: it would run them a second time, repeating what they
 * did (and their records would collide with the new attempt's). Such a migration is refused.
 */
async function stepsThatWouldRunAgain(tx: Tx, runId: string, plan: TMigrationPlan): Promise<TMigrationProblem[]> {
  const ended = await tx
    .selectFrom('run_steps')
    .select(['step_id', 'path', 'status'])
    .where('run_id', '=', runId)
    .where('status', 'in', ['SUCCEEDED', 'SKIPPED'])
    .execute();
  return ended.flatMap(({ step_id: stepId, path, status }) => {
    const moved = plan.translatePath(path);
    if (moved === null || !isPathAhead(moved, plan.execution.cursor)) return [];
    const ran = status === 'SUCCEEDED' ? 'it has already succeeded' : 'it was already skipped';
    return [
      {
        stepId,
        path,
        reason: `${ran}, and the new version places it after where the run is (${moved}), so it would run again`,
      },
    ];
  });
}
