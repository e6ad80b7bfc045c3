import 'server-only';
import type { ColumnType, Generated } from 'kysely';
import type { TEmailDelivery, TEmailStatus } from '@/server/email/email-message';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface EmailMessagesTable {
  id: Generated<string>;
  tenant_id: string;
  idempotency_key: string;
  run_id: string | null;
  step_path: string | null;
  message_id: string;
  from_address: string;
  to_addresses: string[];
  subject: string;
  text_body: string | null;
  html_body: string | null;
  delivery: TEmailDelivery;
  status: TEmailStatus;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  /** The attempt sending it now (a token of that attempt), while `sending`; see claimSmtpSend. */
  claim_owner: string | null;
  claim_expires_at: NullableTimestamp;
}

/** Tables of the actions that reach out (migrations 20261122031000_email_messages, 20261205000000_email_send_claims). */
export interface OutboundTables {
  email_messages: EmailMessagesTable;
}
