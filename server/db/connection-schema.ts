import 'server-only';
import type { ColumnType, Generated } from 'kysely';
import type { TConnectionType } from '@/model/connections/connection-config';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ConnectionsTable {
  tenant_id: string;
  name: string;
  type: TConnectionType;
  description: Generated<string>;
  /** The config without its secret fields (publicConnectionConfig), as JSON text on insert. */
  config: ColumnType<Record<string, unknown>, string, string>;
  secret_fields: ColumnType<string[], string[] | undefined, string[]>;
  ciphertext: Buffer;
  iv: Buffer;
  auth_tag: Buffer;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LlmUsageTable {
  id: Generated<string>;
  tenant_id: string;
  run_id: string;
  workflow_key: string;
  step_path: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  created_at: Timestamp;
}

/** A file a step returned (SPEC §11 artifacts); the bytes are read in slices, never selected whole. */
export interface RunArtifactsTable {
  id: string;
  tenant_id: string;
  run_id: string;
  step_id: string;
  step_path: string;
  name: string;
  content_type: string;
  /** bigint: pg returns it as a string. */
  size: ColumnType<string, number, number>;
  data: Buffer;
  created_at: Timestamp;
}

/** Tables of SPEC §11 (migrations 20261214000000_connections, 20261214000100_llm_usage, 20261217000000_run_artifacts). */
export interface ConnectionTables {
  connections: ConnectionsTable;
  llm_usage: LlmUsageTable;
  run_artifacts: RunArtifactsTable;
}
