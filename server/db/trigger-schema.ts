import 'server-only';
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: read back as parsed JSON (check it with zod), written as a JSON string. */
type Json = ColumnType<unknown, string, string>;

export interface TriggersTable {
  id: Generated<string>;
  tenant_id: string;
  workflow_id: string;
  type: 'manual' | 'webhook' | 'schedule' | 'event';
  config: Json;
  version: number | null;
  enabled: Generated<boolean>;
  token_hash: string | null;
  token_ciphertext: Buffer | null;
  token_iv: Buffer | null;
  token_tag: Buffer | null;
  event: string | null;
  last_slot: NullableTimestamp;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_fired_at: NullableTimestamp;
}

export interface TriggerFiringsTable {
  id: Generated<string>;
  tenant_id: string;
  trigger_id: string;
  fired_at: Timestamp;
  outcome: 'started' | 'duplicate' | 'rejected' | 'failed';
  run_id: string | null;
  message: string | null;
  slot: NullableTimestamp;
  event_id: string | null;
}

export interface TriggerRateWindowsTable {
  trigger_id: string;
  window_start: Date;
  hits: number;
}

/** Signatures of accepted webhook requests, kept while they could still be replayed. */
export interface WebhookSignaturesSeenTable {
  trigger_id: string;
  signature: string;
  expires_at: Timestamp;
  seen_at: Generated<Date>;
}

/** A "listen for a test event" window on a webhook: the next request it receives, kept briefly. */
export interface WebhookListensTable {
  trigger_id: string;
  tenant_id: string;
  started_by: string;
  started_at: Generated<Date>;
  expires_at: Timestamp;
  captured_at: NullableTimestamp;
  request: ColumnType<unknown, string | null | undefined, string | null>;
}

export interface TriggerTables {
  triggers: TriggersTable;
  trigger_firings: TriggerFiringsTable;
  trigger_rate_windows: TriggerRateWindowsTable;
  webhook_signatures_seen: WebhookSignaturesSeenTable;
  webhook_listens: WebhookListensTable;
}
