import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { ZExecution } from '@/server/runtime/execution/execution-state';
import { rewindForRetry } from '@/server/runtime/execution/rewind-for-retry';
import { restoreAttempts } from '@/server/runtime/run-store/restore-attempts';

/**
 * Inside an operator's retry (retryRun, the run locked): puts the run's saved execution back at
 * the step that failed (rewindForRetry), with a new `settings.timeoutMs` window when given.
 *
 * A finally that ran after the failure runs again after the retried step, but its steps have
 * SUCCEEDED records, and the database allows one per step path (a second would fail every
 * commit that carried it). Those records are marked CANCELED, with an error saying why: they
 * stay in the history, and they no longer count as the step's success. Their outside calls are
 * not repeated: the action ledger answers the second run of each from the first.
 */
export async function rewindRunForRetry({
  tx,
  runId,
  timeoutFrom,
}: {
  tx: Tx;
  runId: string;
  timeoutFrom: Date | null;
}): Promise<void> {
  const saved = await tx.selectFrom('runs').select('execution').where('id', '=', runId).executeTakeFirstOrThrow();
  const { execution, rerunPipes } = rewindForRetry(ZExecution.parse(saved.execution));
  if (timeoutFrom) execution.timeoutFrom = timeoutFrom.toISOString();
  if (rerunPipes.length > 0) await supersedeRerunPipes(tx, runId, rerunPipes);
  // The failed step runs again, and so does every step of a finally run again: each goes on
  // from its last attempt (the execution keeps no count of the steps it passed).
  await restoreAttempts(tx, runId, execution);
  await tx
    .updateTable('runs')
    .set({ execution: JSON.stringify(execution) })
    .where('id', '=', runId)
    .execute();
}

/** The records and block results of the finally pipes that run again stop counting (see rewindRunForRetry). */
async function supersedeRerunPipes(tx: Tx, runId: string, rerunPipes: string[]): Promise<void> {
  // `…config.finally[` so that no other pipe whose name starts the same way is taken along.
  const underRerunPipes = (column: 'path' | 'block_path') =>
    sql<boolean>`(${sql.join(
      rerunPipes.map((pipe) => sql`starts_with(${sql.ref(column)}, ${`${pipe}[`})`),
      sql` OR `,
    )})`;
  // The forEach blocks in those pipes start afresh: rows a failed one kept are not theirs.
  await tx.deleteFrom('run_block_results').where('run_id', '=', runId).where(underRerunPipes('block_path')).execute();
  const superseded = {
    code: 'RETRIED',
    message:
      'The run was retried from an earlier failed step, so this step ran again after it; this record no longer counts as its success.',
  };
  await tx
    .updateTable('run_steps')
    .set({ status: 'CANCELED', error: JSON.stringify(superseded) })
    .where('run_id', '=', runId)
    .where('status', '=', 'SUCCEEDED')
    .where(underRerunPipes('path'))
    .execute();
}
