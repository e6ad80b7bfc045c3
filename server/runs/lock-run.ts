import 'server-only';
import { sql } from 'kysely';
import type { Tx } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { ZRunId } from '@/server/runs/run-record';

/**
 * Locks a run of the caller's tenant for an operator action (FOR UPDATE: a worker's commit,
 * a wake-up or another operator waits for us). `held` says a worker holds a live lease: such
 * a run is changed by asking its worker, not by writing its status under it.
 */
export async function lockRun(tx: Tx, tenantId: string, runId: string) {
  const row = ZRunId.safeParse(runId).success
    ? await tx
        .selectFrom('runs')
        .select([
          'id',
          'tenant_id',
          'workflow_id',
          'workflow_key',
          'version',
          'version_id',
          'status',
          'input',
          'error',
          'parent_run_id',
          'started_at',
          'pause_requested',
          'cancel_requested',
          'paused_from',
          'is_test',
          'test_document',
        ])
        .select(sql<boolean>`lease_owner IS NOT NULL AND lease_expires_at > now()`.as('held'))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', runId)
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!row) throw new AppError('NOT_FOUND', `No run with id ${runId}.`);
  return row;
}
export type TLockedRun = Awaited<ReturnType<typeof lockRun>>;
