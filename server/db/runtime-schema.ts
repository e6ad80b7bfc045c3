import 'server-only';
import type { ColumnType, Generated } from 'kysely';
import type { TRunStatus, TStepStatus } from '@/model/run-status';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: read back as parsed JSON (check it with zod), written as a JSON string. */
type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown, string | null | undefined, string | null>;

export interface RunsTable {
  id: Generated<string>;
  tenant_id: string;
  workflow_id: string;
  workflow_key: string;
  version_id: string;
  version: number;
  status: TRunStatus;
  state: string | null;
  input: Json;
  output: NullableJson;
  error: NullableJson;
  trigger: Json;
  parent_run_id: string | null;
  parent_step_path: string | null;
  idempotency_key: string | null;
  execution: Json;
  event_seq: Generated<number>;
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  fence: ColumnType<string, string | number | undefined, string | number>;
  recoveries: Generated<number>;
  pause_requested: Generated<boolean>;
  /** The status an operator paused the run from (PAUSED only); QUEUED means it holds no slot. */
  paused_from: string | null;
  cancel_requested: Generated<boolean>;
  wake_requested: Generated<boolean>;
  /** A test run of a draft (issue #18 "Run draft"): it runs `test_document`, not the version row. */
  is_test: Generated<boolean>;
  /** Actions with outside effects answer null instead of happening (test runs only). */
  mock_actions: Generated<boolean>;
  test_document: NullableJson;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  /** The last change of status or lease (the reaper's looks and their indexes read it). */
  updated_at: Timestamp;
  /** The last commit made under a held lease: in no index, so such an update can be HOT. */
  progressed_at: NullableTimestamp;
}

export interface RunStepsTable {
  id: string;
  run_id: string;
  tenant_id: string;
  step_id: string;
  path: string;
  type: string;
  attempt: number;
  status: TStepStatus;
  input: NullableJson;
  output: NullableJson;
  error: NullableJson;
  started_at: Timestamp;
  completed_at: NullableTimestamp;
  duration_ms: number | null;
  /**
   * The step's snapshot as storedSnapshot leaves it (migration 20270104000000); NULL for a record
   * without one, and for records stored before, whose snapshot is a run_snapshots row.
   */
  snapshot: NullableJson;
  snapshot_truncated: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  snapshot_size_bytes: ColumnType<number | null, number | null | undefined, number | null>;
}

/** A column of a view, which PostgreSQL refuses to insert into. */
type ReadOnly<T> = ColumnType<T, never, never>;

/**
 * The `run_events` view: a run's log, one row per event, as SPEC §6.1 numbers it, read from
 * `run_event_rows` (stored-events.ts), which is where events are written.
 */
export interface RunEventsTable {
  run_id: ReadOnly<string>;
  seq: ReadOnly<number>;
  tenant_id: ReadOnly<string>;
  type: ReadOnly<string>;
  step_id: ReadOnly<string | null>;
  at: ReadOnly<Date>;
  data: ReadOnly<unknown>;
}

/**
 * How events are stored: one event in `type`…`data` (`events` null), or a commit's events as a
 * jsonb array of `{ type, stepId?, at, data }` in `events` (the others null), `seq` the first.
 */
export interface RunEventRowsTable {
  run_id: string;
  seq: number;
  tenant_id: string;
  type: string | null;
  step_id: string | null;
  at: NullableTimestamp;
  data: NullableJson;
  events: NullableJson;
}

/** Snapshots of step records stored before migration 20270104000000 (new ones are in run_steps.snapshot). */
export interface RunSnapshotsTable {
  step_record_id: string;
  run_id: string;
  tenant_id: string;
  path: string;
  snapshot: Json;
  truncated: boolean;
  size_bytes: number;
  created_at: Timestamp;
}

/** A finished forEach iteration's result or failure, until its block ends (migration 20261205000100_run_block_results). */
export interface RunBlockResultsTable {
  run_id: string;
  tenant_id: string;
  block_path: string;
  item_index: number;
  result: NullableJson;
  failure: NullableJson;
  created_at: Timestamp;
}

export type TWaitKind = 'event' | 'timer' | 'task' | 'child' | 'retry';
export type TWaitStatus = 'open' | 'resolved' | 'expired' | 'canceled';

export interface RunWaitsTable {
  id: string;
  run_id: string;
  tenant_id: string;
  step_path: string;
  kind: TWaitKind;
  status: TWaitStatus;
  event: string | null;
  correlation_key: string | null;
  resume_at: NullableTimestamp;
  child_run_id: string | null;
  payload: NullableJson;
  created_at: Timestamp;
  resolved_at: NullableTimestamp;
}

export interface ActionInvocationsTable {
  tenant_id: string;
  action: string;
  version: number;
  idempotency_key: string;
  run_id: string | null;
  step_path: string | null;
  output: NullableJson;
  completed_at: Timestamp;
}

export interface TasksTable {
  id: Generated<string>;
  tenant_id: string;
  run_id: string;
  wait_id: string;
  step_id: string;
  step_path: string;
  title: string;
  description: Generated<string>;
  form: Json;
  outcomes: string[];
  assignee: Json;
  status: 'open' | 'completed' | 'canceled' | 'expired';
  due_at: NullableTimestamp;
  outcome: string | null;
  data: NullableJson;
  completed_by: string | null;
  completed_at: NullableTimestamp;
  created_at: Timestamp;
  /** SPEC §10 (migration 20261213000000_task_approvals): the quorum rule, null for one answer. */
  approvals: NullableJson;
  /** null (rows from before the column) reads as true. */
  allow_self_approval: ColumnType<boolean | null, boolean | undefined, boolean>;
  /** The resolved `context` value shown read-only with the task. */
  context: NullableJson;
  claimed_by: string | null;
  claimed_at: NullableTimestamp;
  /** Escalation steps (migration 20261213000100_task_escalation) and how many were carried out. */
  escalation: NullableJson;
  escalated: ColumnType<number | null, number | undefined, number>;
  notify: ColumnType<boolean | null, boolean | undefined, boolean>;
}

export interface EventsTable {
  id: Generated<string>;
  tenant_id: string;
  event: string;
  correlation_key: string | null;
  payload: NullableJson;
  received_at: Timestamp;
  resumed: Generated<string[]>;
  started: Generated<string[]>;
  /** The storing transaction (xid8 as text), for matching waits created meanwhile (migration 20261204000000_run_state). */
  xact_id: Generated<string | null>;
}

/**
 * A run's input as text in lower case, written once when the run is inserted, for the runs list's text search
 * (migration 20270103000000_run_input_texts: its triggers write it; nothing in the app does).
 */
export interface RunInputTextsTable {
  run_id: string;
  tenant_id: string;
  workflow_key: string;
  input_text: string;
}

/** The runtime's tables (migration 20261122020000_runtime). */
export interface RuntimeTables {
  runs: RunsTable;
  run_steps: RunStepsTable;
  run_events: RunEventsTable;
  run_event_rows: RunEventRowsTable;
  run_snapshots: RunSnapshotsTable;
  run_block_results: RunBlockResultsTable;
  run_input_texts: RunInputTextsTable;
  run_waits: RunWaitsTable;
  action_invocations: ActionInvocationsTable;
  tasks: TasksTable;
  events: EventsTable;
}
