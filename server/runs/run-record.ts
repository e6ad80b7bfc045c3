import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { RunsTable } from '@/server/db/runtime-schema';
import type { Selectable } from 'kysely';
import { AppError } from '@/model/errors';
import { ZRunStatus } from '@/model/run-status';

export const ZRunId = z.string().uuid('not a run id');
export const ZRunTrigger = z.object({ type: z.string(), id: z.string().optional() });

/** A run as the API returns it (SPEC §6.1). */
export const ZRunRecord = z.object({
  id: z.string(),
  workflowKey: z.string(),
  version: z.number().int(),
  status: ZRunStatus,
  state: z.string().nullable(),
  input: z.unknown(),
  output: z.unknown(),
  error: z.unknown(),
  trigger: ZRunTrigger,
  parentRunId: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  /** A test run of a draft ("Run draft"); `mockActions`: its outside effects answered null. */
  test: z.boolean(),
  mockActions: z.boolean(),
});
export type TRunRecord = z.infer<typeof ZRunRecord>;

/** The columns a run record is built from (never the lease or the execution state). */
export const RUN_RECORD_COLUMNS = [
  'id',
  'workflow_key',
  'version',
  'status',
  'state',
  'input',
  'output',
  'error',
  'trigger',
  'parent_run_id',
  'idempotency_key',
  'created_at',
  'started_at',
  'completed_at',
  'is_test',
  'mock_actions',
] as const;
export type TRunRecordRow = Pick<Selectable<RunsTable>, (typeof RUN_RECORD_COLUMNS)[number]>;

export function toRunRecord(row: TRunRecordRow): TRunRecord {
  return {
    id: row.id,
    workflowKey: row.workflow_key,
    version: row.version,
    status: row.status,
    state: row.state,
    input: row.input,
    output: row.output ?? null,
    error: row.error ?? null,
    trigger: ZRunTrigger.parse(row.trigger),
    parentRunId: row.parent_run_id,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
    durationMs: row.started_at && row.completed_at ? row.completed_at.getTime() - row.started_at.getTime() : null,
    test: row.is_test,
    mockActions: row.mock_actions,
  };
}

/** A run of this tenant, or NOT_FOUND (another tenant's run is not found either). */
export async function findRunRow(db: DbOrTx, tenantId: string, runId: string): Promise<TRunRecordRow> {
  const parsed = ZRunId.safeParse(runId);
  const row = parsed.success
    ? await db
        .selectFrom('runs')
        .select(RUN_RECORD_COLUMNS)
        .where('tenant_id', '=', tenantId)
        .where('id', '=', runId)
        .executeTakeFirst()
    : undefined;
  if (!row) throw new AppError('NOT_FOUND', `No run with id ${runId}.`);
  return row;
}
