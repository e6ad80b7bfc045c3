import 'server-only';
import { z } from 'zod';

/** An outbox message as the Outbox page shows it. */
export const ZOutboxMessage = z.object({
  id: z.string(),
  messageId: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  text: z.string().nullable(),
  html: z.string().nullable(),
  runId: z.string().nullable(),
  stepPath: z.string().nullable(),
  createdAt: z.string(),
});
export type TOutboxMessage = z.infer<typeof ZOutboxMessage>;

export const OUTBOX_MESSAGE_COLUMNS = [
  'id',
  'message_id',
  'from_address',
  'to_addresses',
  'subject',
  'text_body',
  'html_body',
  'run_id',
  'step_path',
  'created_at',
] as const;

export function toOutboxMessage(row: {
  id: string;
  message_id: string;
  from_address: string;
  to_addresses: string[];
  subject: string;
  text_body: string | null;
  html_body: string | null;
  run_id: string | null;
  step_path: string | null;
  created_at: Date;
}): TOutboxMessage {
  return {
    id: row.id,
    messageId: row.message_id,
    from: row.from_address,
    to: row.to_addresses,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    runId: row.run_id,
    stepPath: row.step_path,
    createdAt: row.created_at.toISOString(),
  };
}
