import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import type { TExecution } from '@/server/runtime/execution/execution-state';

/**
 * Puts back into `execution.attempts` the count of every step path of the run that may run
 * again, read from its records, for an operator's retry or migration (SPEC §7.6, §9). The
 * interpreter drops a path's count once it passes the step (passStep), so a saved execution
 * counts only the steps it has not passed; a step record is one per path and attempt
 * (`run_steps_attempt_key`), so a path run again must go on from its last number. Any path that
 * has no record counting as passed (SUCCEEDED or SKIPPED) may: a failed step, one canceled for
 * a rerun finally, a worker lost mid-step. Changes `execution` in place; call it with the run
 * locked, after its records' paths and statuses are as the run goes on with.
 */
export async function restoreAttempts(tx: Tx, runId: string, execution: TExecution): Promise<void> {
  const counted = await tx
    .selectFrom('run_steps')
    .select(['path', (eb) => eb.fn.max('attempt').as('attempt')])
    .where('run_id', '=', runId)
    .groupBy('path')
    .having(sql<boolean>`bool_and(status NOT IN ('SUCCEEDED', 'SKIPPED'))`)
    .execute();
  for (const { path, attempt } of counted) execution.attempts[path] = Math.max(execution.attempts[path] ?? 0, attempt);
}
