import { sql } from 'kysely';
import type { TAuthContext } from '@/server/auth/context';
import type { Db } from '@/server/db/database';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { ADVANCE_QUEUE } from '@/server/runtime/queue/run-queue';
import { RUN_TIMEOUT_PATH } from '@/server/runtime/run-store/end-run-effects';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';

/**
 * A runtime test's own database (DATABASE_URL pointed at it, for startRun's queue and getDb)
 * with a tenant, its editor and an operator of it.
 */
export async function openRuntimeTenant(
  label: string,
): Promise<{ t: TTestDatabase; editor: TAuthContext; operator: TAuthContext }> {
  const t = await createTestDatabase(label);
  process.env.DATABASE_URL = t.url;
  const editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  const operator = (await addMemberTo({ db: t.db, ctx: editor, role: 'operator' })).ctx;
  return { t, editor, operator };
}

/** Ends every run a test left going, and its jobs: what one test left runnable is not the next one's business. */
export async function endLeftoverRuns(db: Db): Promise<void> {
  await sql`UPDATE runs SET status = 'CANCELED', lease_owner = NULL, lease_expires_at = NULL WHERE status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELED')`.execute(
    db,
  );
  await sql`UPDATE pgboss.job SET state = 'completed' WHERE name = ${ADVANCE_QUEUE} AND state < 'completed'`.execute(
    db,
  );
}

/** The expression pool's threads and the database, closed after the file's tests. */
export async function closeRuntimeTenant(t: TTestDatabase): Promise<void> {
  await closeExpressionPool();
  await t.close();
}

/**
 * Moves a run's `settings.timeoutMs` window (of `timeoutMs`) back so that its deadline passed
 * 10 s ago, and makes its timer job due: the deadline's passing without waiting for it.
 */
export async function passRunDeadline(db: Db, runId: string, timeoutMs: number): Promise<void> {
  const from = new Date(Date.now() - timeoutMs - 10_000).toISOString();
  await sql`UPDATE runs SET execution = jsonb_set(execution::jsonb, '{timeoutFrom}', to_jsonb(${from}::text)) WHERE id = ${runId}`.execute(
    db,
  );
  await sql`UPDATE run_waits SET resume_at = now() - interval '10 seconds' WHERE run_id = ${runId} AND status = 'open' AND step_path = ${RUN_TIMEOUT_PATH}`.execute(
    db,
  );
  await sql`UPDATE pgboss.job SET start_after = now() WHERE name = ${ADVANCE_QUEUE} AND state = 'created' AND data->>'runId' = ${runId}`.execute(
    db,
  );
}
