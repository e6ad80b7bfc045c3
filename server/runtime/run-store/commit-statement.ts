import 'server-only';
import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import type { TStepStatus, TRunEventType, TRunStatus } from '@/model/run-status';
import { releasedLease, wokenOnRelease } from '@/server/runtime/run-store/released-lease';
import { oldestHeldRun } from '@/server/runtime/run-store/end-run-effects';
import type { Tx } from '@/server/db/database';
import type { TStagedArtifact } from '@/server/artifacts/artifact-stager';
import { NAMED_STATEMENT_MARK } from '@/server/db/named-statements';
import { storedEventsJson } from '@/server/runtime/run-store/stored-events';
import { snapshotsByRecord, stepRecordCtes } from '@/server/runtime/run-store/step-record-ctes';
import { boundStatement, fromBatch } from '@/server/runtime/run-store/batch-parameter';

/*
 * The one statement of a commit (commitBatch): the fenced update of the run with every history
 * row of the batch as CTEs hanging off it. Its text depends only on which parts a batch has.
 */

export type TStepRecordDraft = {
  id: string;
  stepId: string;
  path: string;
  type: string;
  attempt: number;
  status: TStepStatus;
  input: unknown;
  output: unknown;
  error: unknown;
  startedAt: Date;
  completedAt: Date | null;
};
export type TStepRecordPatch = Pick<TStepRecordDraft, 'status'> &
  Partial<Pick<TStepRecordDraft, 'output' | 'error' | 'input' | 'completedAt'>>;
export type TEventDraft = { type: TRunEventType; stepId: string | null; data: Record<string, unknown>; at: Date };
/** A step's snapshot, stored in its record by the same commit (step-record-ctes.ts). */
export type TSnapshotDraft = {
  stepRecordId: string;
  /** The redacted, capped envelope as JSON text, as storedSnapshot leaves it. */
  json: string;
  truncated: boolean;
  sizeBytes: number;
};
export type TInvocationDraft = {
  action: string;
  version: number;
  idempotencyKey: string;
  stepPath: string;
  output: unknown;
};
/** A forEach iteration that ended: its collected result, or its failure (onItemError continue). */
export type TBlockResultDraft = { blockPath: string; itemIndex: number; result: unknown; failure: unknown };
export type TRunPatch = Partial<{
  status: TRunStatus;
  state: string | null;
  output: unknown;
  error: unknown;
  startedAt: Date;
  completedAt: Date;
}>;

/** Everything one commit writes for one run. */
export type TBatch = {
  run: { id: string; tenantId: string; fence: string };
  execution: string;
  inserts: TStepRecordDraft[];
  updates: Array<[string, TStepRecordPatch]>;
  events: TEventDraft[];
  snapshots: TSnapshotDraft[];
  invocations: TInvocationDraft[];
  /** Ended forEach iterations (run_block_results), written once each instead of in every execution. */
  blockResults: TBlockResultDraft[];
  /** forEach blocks that ended: their rows, and those of forEach blocks nested in their iterations, are deleted. */
  endedBlocks: string[];
  /** Files steps returned (SPEC §11), stored by this commit or not at all; each a bytea parameter of its own. */
  artifacts: TStagedArtifact[];
  patch: TRunPatch;
  extras: Array<(tx: Tx) => Promise<void>>;
  releasing: boolean;
  /** The run finished: a run of this workflow held QUEUED by its limits may start now. */
  admitNextOf: string | null;
  /**
   * Event-match locks (eventMatchLock) taken before anything else in the transaction: a batch
   * that creates an event wait serializes with deliveries of that event (matchEventWaits).
   */
  eventLocks: string[];
};

/** NOTIFY channel: payload `<runId>:<last seq>:<status>` after every commit that added events. */
export const RUN_EVENTS_CHANNEL = 'pipewright_run_events';

export type TCommitRow = { event_seq: number; status: TRunStatus };

/**
 * The status a released run is left in: a pause asked for while the run was being suspended
 * wins over a wake-up (the resumed run finds its wait resolved); a wake-up that came while it
 * was suspending keeps it RUNNING, for this worker to carry on. So does a wait that came due
 * while the run was held (a delay beside a long call in a parallel block): its job found the
 * lease live and ended, and no other job is coming for it.
 */
export function releasedStatus(
  target: TRunStatus | undefined,
  runsAlias: string,
  value: unknown = target,
): RawBuilder<TRunStatus> {
  const to = target ?? 'WAITING';
  if (to !== 'WAITING') return sql<TRunStatus>`${value}`;
  return sql<TRunStatus>`CASE
    WHEN pause_requested THEN 'PAUSED'
    WHEN ${wokenOnRelease(runsAlias)} THEN 'RUNNING'
    ELSE 'WAITING' END`;
}

const jsonOrNull = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

type TCommitOptions = { releaseInline: boolean; notify: boolean; admitJobs: ((rows: string) => string) | null };

const succeededIn = (batch: TBatch): boolean =>
  batch.inserts.some((d) => d.status === 'SUCCEEDED') || batch.updates.some(([, d]) => d.status === 'SUCCEEDED');

/**
 * What decides the statement's text (every `if` below), or null when the text also holds values
 * (the held-run hand-off's CTEs, an artifact's VALUES row each): that batch is compiled alone.
 */
function shapeOf(batch: TBatch, options: TCommitOptions): string | null {
  if (batch.artifacts.length || (batch.admitNextOf && options.admitJobs)) return null;
  const { patch } = batch;
  return [
    batch.releasing,
    options.releaseInline,
    options.notify,
    // Released to WAITING is a CASE; to any other status, the status as a parameter.
    (patch.status ?? 'WAITING') === 'WAITING',
    patch.status !== undefined,
    succeededIn(batch),
    'state' in patch,
    'output' in patch,
    'error' in patch,
    Boolean(patch.startedAt),
    Boolean(patch.completedAt),
    batch.inserts.length > 0,
    batch.updates.length,
    batch.events.length > 0,
    batch.invocations.length > 0,
    batch.blockResults.length > 0,
    batch.endedBlocks.length > 0,
  ].join(',');
}

/**
 * One statement: the fenced run update, then every step record (with its snapshot), step update, event,
 * ledger row and forEach result of the batch as CTEs fed by one JSON parameter each. Nothing
 * is written when the fenced update matches no row. Its text is compiled once per shape of batch.
 */
export function commitStatement(batch: TBatch, options: TCommitOptions): CompiledQuery<TCommitRow> {
  // Checked for every batch, whatever its shape: a snapshot without its record would be lost.
  const input = { batch, snapshots: snapshotsByRecord(batch) };
  return boundStatement(shapeOf(batch, options), () => commitText(batch, options), input);
}

/** The statement for `batch`'s shape; every value in it is read from the batch it is sent for (fromBatch). */
function commitText(batch: TBatch, options: TCommitOptions): RawBuilder<TCommitRow> {
  const { patch, events } = batch;
  const sets: RawBuilder<unknown>[] = [
    sql`execution = ${fromBatch((c) => c.batch.execution)}::jsonb`,
    sql`event_seq = w.event_seq + ${fromBatch((c) => c.batch.events.length)}::int`,
    sql`progressed_at = now()`,
  ];
  // updated_at is in indexes (the reaper's looks), so writing it makes the update non-HOT: only
  // a change of status or lease moves it. A commit under a held lease that changes neither (most
  // durable steps) touches no indexed column and can stay on its heap page.
  if (batch.releasing || patch.status) sets.push(sql`updated_at = now()`);
  if (options.releaseInline) {
    sets.push(
      sql`status = ${releasedStatus(
        patch.status,
        'w',
        fromBatch((c) => c.batch.patch.status),
      )}`,
      sql`wake_requested = false`,
      sql`lease_owner = ${releasedLease(patch.status, 'lease_owner', 'w')}`,
      sql`lease_expires_at = ${releasedLease(patch.status, 'lease_expires_at', 'w')}`,
    );
  } else if (patch.status && !batch.releasing) {
    sets.push(sql`status = ${fromBatch((c) => c.batch.patch.status)}`);
  }
  // Progress made: earlier crashes were not this run's fault (see claimRun's poison check).
  if (succeededIn(batch)) sets.push(sql`recoveries = 0`);
  if ('state' in patch) sets.push(sql`state = ${fromBatch((c) => c.batch.patch.state ?? null)}`);
  if ('output' in patch) sets.push(sql`output = ${fromBatch((c) => jsonOrNull(c.batch.patch.output))}::jsonb`);
  if ('error' in patch) sets.push(sql`error = ${fromBatch((c) => jsonOrNull(c.batch.patch.error))}::jsonb`);
  if (patch.startedAt) sets.push(sql`started_at = ${fromBatch((c) => c.batch.patch.startedAt)}`);
  if (patch.completedAt) sets.push(sql`completed_at = ${fromBatch((c) => c.batch.patch.completedAt)}`);

  const runId = fromBatch((c) => c.batch.run.id);
  const tenantId = fromBatch((c) => c.batch.run.tenantId);
  const ctes: RawBuilder<unknown>[] = [
    sql`r AS (UPDATE runs w SET ${sql.join(sets)} WHERE w.id = ${runId} AND w.fence = ${fromBatch((c) => c.batch.run.fence)} AND w.lease_owner IS NOT NULL RETURNING w.event_seq, w.status, w.workflow_id)`,
  ];
  ctes.push(...stepRecordCtes(batch));
  if (events.length) {
    // One row for the batch, keyed by its first seq (migration 20270105000000): one heap tuple and
    // one key entry per commit instead of one per event. The `run_events` view reads it back.
    ctes.push(sql`e AS (
      INSERT INTO run_event_rows (run_id, seq, tenant_id, type, at, data, events)
      SELECT ${runId}, r.event_seq - ${fromBatch((c) => c.batch.events.length)}::int + 1, ${tenantId}, NULL, NULL, NULL, ${fromBatch((c) => storedEventsJson(c.batch.events))}::jsonb
        FROM r)`);
  }
  if (batch.invocations.length) {
    const rows = (b: TBatch) =>
      b.invocations.map((v) => ({
        action: v.action,
        version: v.version,
        key: v.idempotencyKey,
        step_path: v.stepPath,
        output: v.output ?? null,
      }));
    ctes.push(sql`l AS (
      INSERT INTO action_invocations (tenant_id, action, version, idempotency_key, run_id, step_path, output)
      SELECT ${tenantId}, x.action, x.version, x.key, ${runId}, x.step_path, x.output
        FROM r, jsonb_to_recordset(${fromBatch((c) => JSON.stringify(rows(c.batch)))}::jsonb) AS x(action text, version int, key text, step_path text, output jsonb)
      ON CONFLICT DO NOTHING)`);
  }
  if (batch.blockResults.length) {
    const rows = (b: TBatch) =>
      b.blockResults.map((r) => ({
        block_path: r.blockPath,
        item_index: r.itemIndex,
        result: r.result ?? null,
        failure: r.failure ?? null,
      }));
    // An update on conflict: a forEach in a finally that an operator's retry runs again finds the
    // rows of its first run (rewindRunForRetry deletes them, but a refused commit would re-run
    // the pass until WORKER_CRASHED, so the write does not depend on it).
    ctes.push(sql`b AS (
      INSERT INTO run_block_results (run_id, tenant_id, block_path, item_index, result, failure)
      SELECT ${runId}, ${tenantId}, x.block_path, x.item_index, x.result, x.failure
        FROM r, jsonb_to_recordset(${fromBatch((c) => JSON.stringify(rows(c.batch)))}::jsonb) AS x(block_path text, item_index int, result jsonb, failure jsonb)
      ON CONFLICT (run_id, block_path, item_index) DO UPDATE SET result = excluded.result, failure = excluded.failure)`);
  }
  if (batch.endedBlocks.length) {
    // A DELETE does not see rows another CTE of the same statement inserts: RunWriter drops
    // the buffered rows of an ended block instead of sending them.
    ctes.push(sql`d AS (
      DELETE FROM run_block_results z USING r
       WHERE z.run_id = ${runId}
         AND EXISTS (SELECT 1 FROM unnest(${fromBatch((c) => c.batch.endedBlocks)}::text[]) AS p(path) WHERE z.block_path = p.path OR starts_with(z.block_path, p.path || '#')))`);
  }
  if (batch.artifacts.length) ctes.push(artifactsCte(batch));
  let admitted = sql`NULL`;
  if (batch.admitNextOf && options.admitJobs) {
    // The run finished (admitNextQueued): the oldest run of the workflow held QUEUED by its
    // limits gets a job, in this statement. Not this run itself: it is QUEUED until this
    // statement, when it started and ended in one pass, and used to send itself a useless job.
    ctes.push(sql`held AS (${oldestHeldRun(batch.admitNextOf, batch.run.id)})`);
    const rows = `SELECT coalesce(json_agg(json_build_object('data', json_build_object('runId', id))), '[]'::json)
      FROM held WHERE EXISTS (SELECT 1 FROM r)`;
    ctes.push(sql.raw(options.admitJobs(rows)));
    admitted = sql`(SELECT count(*) FROM advance_notified)`;
  }
  const notify =
    options.notify && events.length
      ? sql`pg_notify(${RUN_EVENTS_CHANNEL}, ${fromBatch((c) => `${c.batch.run.id}:`)} || r.event_seq || ':' || r.status)`
      : sql`NULL`;
  // A statement's text depends only on which parts the batch has (its data are parameters), so
  // it is prepared once per shape and connection; artifacts add one VALUES row each, so a batch
  // with files goes unnamed.
  const mark = sql.raw(batch.artifacts.length ? '' : NAMED_STATEMENT_MARK);
  return sql<TCommitRow>`${mark}WITH ${sql.join(ctes)}
    SELECT r.event_seq, r.status, ${notify} AS notified, ${admitted} AS admitted FROM r`;
}

/** The batch's files (SPEC §11): compiled for that batch alone (one VALUES row per file). */
function artifactsCte(batch: TBatch): RawBuilder<unknown> {
  const { run } = batch;
  const rows = batch.artifacts.map((a, i) => ({
    i,
    id: a.id,
    step_id: a.stepId,
    step_path: a.stepPath,
    name: a.name,
    content_type: a.contentType,
    size: a.bytes.length,
  }));
  // The bytes go as binary parameters (node-postgres sends a Buffer as bytea as it is), not
  // inside the JSON. The id is derived from run, path and index (artifactId): a step that
  // commits again under its path replaces its file, it never adds a second one.
  const bytes = sql.join(batch.artifacts.map((a, i) => sql`(${i}::int, ${a.bytes}::bytea)`));
  return sql`a AS (
      INSERT INTO run_artifacts (id, tenant_id, run_id, step_id, step_path, name, content_type, size, data)
      SELECT x.id, ${run.tenantId}, ${run.id}, x.step_id, x.step_path, x.name, x.content_type, x.size, b.data
        FROM r, jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS x(i int, id uuid, step_id text, step_path text, name text, content_type text, size bigint)
        JOIN (VALUES ${bytes}) AS b(i, data) ON b.i = x.i
      ON CONFLICT (id) DO UPDATE SET step_id = excluded.step_id, name = excluded.name, content_type = excluded.content_type,
        size = excluded.size, data = excluded.data, created_at = now()
        WHERE run_artifacts.run_id = excluded.run_id)`;
}
