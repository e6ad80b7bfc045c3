import 'server-only';
import type { ColumnType, Generated, GeneratedAlways, Insertable, Selectable, Updateable } from 'kysely';
import type { TRole } from '@/model/roles';
import type { TWorkflowStatus } from '@/server/workflows/workflow-status';
import type { TVersionStatus } from '@/model/definition/version-document';
import type { RuntimeTables } from '@/server/db/runtime-schema';
import type { TaskTables } from '@/server/db/task-schema';
import type { OutboundTables } from '@/server/db/outbound-schema';
import type { TriggerTables } from '@/server/db/trigger-schema';
import type { ConnectionTables } from '@/server/db/connection-schema';

/** Timestamps come back as Date and may be written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface TenantsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  created_at: Timestamp;
  /** Default `retentionDays` of the tenant's runs (a version's `settings.retentionDays` wins); null = 30. */
  retention_days: ColumnType<number | null, number | null | undefined, number | null>;
  /** Tenant-wide limits enforced by admission besides each version's own; null = none. */
  max_concurrent_runs: ColumnType<number | null, number | null | undefined, number | null>;
  runs_per_minute: ColumnType<number | null, number | null | undefined, number | null>;
  /** The most bytes of artifacts the tenant's runs may hold (bigint, read as a string); null = PIPEWRIGHT_ARTIFACT_QUOTA_BYTES. */
  artifact_quota_bytes: ColumnType<string | null, number | null | undefined, number | null>;
}

export interface MetricCountersTable {
  tenant_id: string;
  name: string;
  labels: ColumnType<Record<string, string>, string, string>;
  value: ColumnType<number, number | undefined, number>;
}

export interface AlertRulesTable {
  id: Generated<string>;
  tenant_id: string;
  workflow_id: string | null;
  kind: 'failureRate' | 'stuck' | 'queueAge';
  threshold: number | null;
  window_ms: ColumnType<string | null, number | null | undefined, number | null>;
  min_runs: number | null;
  after_ms: ColumnType<string | null, number | null | undefined, number | null>;
  webhook_url: string | null;
  email: string | null;
  /** The key alert webhooks are signed with (Pipewright-Signature), shown once at creation. */
  signing_secret: string;
  pause_workflow: Generated<boolean>;
  created_by: string;
  created_at: Generated<Date>;
}

export interface AlertFiringsTable {
  id: Generated<string>;
  tenant_id: string;
  rule_id: string;
  fired_at: Generated<Date>;
  resolved_at: Date | null;
  summary: string;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  delivery: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface TraceExportTable {
  id: number;
  watermark: Timestamp;
  exported_at: Timestamp;
}

/** The Overview's week of runs per hour and workflow, rolled up behind metric_rollup's watermark. */
export interface RunHourCountsTable {
  tenant_id: string;
  hour: Timestamp;
  workflow_key: string;
  created: Generated<number>;
  ended: Generated<number>;
  succeeded: Generated<number>;
  failed: Generated<number>;
  timed: Generated<number>;
  duration_ms_sum: Generated<number>;
  duration_ms_max: number | null;
}

export interface MetricRollupTable {
  id: number;
  watermark: Timestamp;
  rolled_at: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string;
  /** Moved on to end every session of the person (see server/users/end-user-sessions.ts). */
  session_version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MembershipsTable {
  tenant_id: string;
  user_id: string;
  role: TRole;
  created_at: Timestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  tenant_id: string;
  user_id: string | null;
  name: string;
  token_prefix: string;
  token_hash: string;
  role: TRole;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface SecretsTable {
  tenant_id: string;
  name: string;
  description: Generated<string>;
  ciphertext: Buffer;
  iv: Buffer;
  auth_tag: Buffer;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type TActorType = 'user' | 'token' | 'system';

export interface AuditLogTable {
  id: Generated<string>;
  tenant_id: string;
  actor_type: TActorType;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
}

export interface WorkersTable {
  id: string;
  hostname: string;
  pid: number;
  started_at: Timestamp;
  heartbeat_at: Timestamp;
  stopped_at: NullableTimestamp;
  /** Advance jobs this worker fetched and still holds (pg-boss shows them active), as of its last beat. */
  fetched_jobs: ColumnType<string[], string[] | undefined, string[]>;
}

export interface SignInFailuresTable {
  id: Generated<string>;
  email: string;
  ip: string;
  at: Timestamp;
}

export interface WorkflowsTable {
  id: Generated<string>;
  tenant_id: string;
  key: string;
  name: string;
  description: Generated<string>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  status: ColumnType<TWorkflowStatus, TWorkflowStatus | undefined, TWorkflowStatus>;
  /** Set by an alert with pauseWorkflow or PATCH /workflows/{key}: new runs are held QUEUED while set. */
  paused: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WorkflowVersionsTable {
  id: Generated<string>;
  tenant_id: string;
  workflow_id: string;
  version: number;
  status: ColumnType<TVersionStatus, TVersionStatus | undefined, TVersionStatus>;
  /** The version document without `version`/`status` (those live in columns); parse with ZVersionDocument on read. */
  document: ColumnType<unknown, string, string>;
  node_types: ColumnType<string[], string[] | undefined, string[]>;
  actions: ColumnType<string[], string[] | undefined, string[]>;
  revision: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  published_at: NullableTimestamp;
  published_by: string | null;
  /** Generated from the document: `settings.maxConcurrentRuns` or `settings.runsPerMinute` is a positive number. */
  has_run_limits: GeneratedAlways<boolean>;
}

export interface Database extends RuntimeTables, OutboundTables, TriggerTables, ConnectionTables, TaskTables {
  tenants: TenantsTable;
  metric_counters: MetricCountersTable;
  metric_rollup: MetricRollupTable;
  run_hour_counts: RunHourCountsTable;
  trace_export: TraceExportTable;
  alert_rules: AlertRulesTable;
  alert_firings: AlertFiringsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  api_tokens: ApiTokensTable;
  secrets: SecretsTable;
  audit_log: AuditLogTable;
  workers: WorkersTable;
  sign_in_failures: SignInFailuresTable;
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
}

export type Tenant = Selectable<TenantsTable>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type AuditEntry = Selectable<AuditLogTable>;
