import 'server-only';
import { z } from 'zod';
import type { TAuthContext } from '@/server/auth/context';
import { roleAllows } from '@/model/roles';
import type { DbOrTx } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { TRIGGER_KINDS, parseTriggerConfig } from '@/model/definition/trigger-config';
import { nextFireTimes } from '@/server/triggers/schedule-slots';
import { openWebhookToken, webhookUrl } from '@/server/triggers/webhook-token';

export const FIRING_OUTCOMES = ['started', 'duplicate', 'rejected', 'failed'] as const;
export type TFiringOutcome = (typeof FIRING_OUTCOMES)[number];

/** A trigger as the API returns it (SPEC §6.1), with what the UI shows beside it. */
export const ZTriggerRecord = z.object({
  id: z.string(),
  workflowKey: z.string(),
  type: z.enum(TRIGGER_KINDS),
  config: z.record(z.unknown()),
  /** A pinned published version, or null for the latest. */
  version: z.number().int().nullable(),
  enabled: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string(),
  lastFiredAt: z.string().nullable(),
  /** Webhooks: the full POST address. Null for callers who may not start runs (the URL is a capability to start them). */
  url: z.string().nullable().optional(),
  /** Schedules: the next five fire times (ISO instants). */
  nextFireTimes: z.array(z.string()).optional(),
});
export type TTriggerRecord = z.infer<typeof ZTriggerRecord>;

export type TTriggerRow = {
  id: string;
  tenant_id: string;
  workflow_id: string;
  workflow_key: string;
  type: (typeof TRIGGER_KINDS)[number];
  config: unknown;
  version: number | null;
  enabled: boolean;
  token_ciphertext: Buffer | null;
  token_iv: Buffer | null;
  token_tag: Buffer | null;
  created_by: string;
  created_at: Date;
  last_fired_at: Date | null;
  last_slot: Date | null;
  event: string | null;
};

/** The stored config, parsed again (JSONB is a trust boundary). */

/** The triggers query with the workflow key joined; filter it by tenant before use. */
export function selectTriggerRows(db: DbOrTx, tenantId: string) {
  return db
    .selectFrom('triggers as t')
    .innerJoin('workflows as w', 'w.id', 't.workflow_id')
    .select([
      't.id',
      't.tenant_id',
      't.workflow_id',
      'w.key as workflow_key',
      't.type',
      't.config',
      't.version',
      't.enabled',
      't.token_ciphertext',
      't.token_iv',
      't.token_tag',
      't.created_by',
      't.created_at',
      't.last_fired_at',
      't.last_slot',
      't.event',
    ])
    .where('t.tenant_id', '=', tenantId);
}

/** One trigger of the caller's tenant, or NOT_FOUND (another tenant's id is "not found" too). */
export async function findTrigger({
  db,
  tenantId,
  id,
}: {
  db: DbOrTx;
  tenantId: string;
  id: string;
}): Promise<TTriggerRow> {
  if (!z.string().uuid().safeParse(id).success) throw new AppError('NOT_FOUND', `No trigger with id "${id}".`);
  const row = await selectTriggerRows(db, tenantId).where('t.id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `No trigger with id "${id}".`);
  return row;
}

export function toTriggerRecord(
  row: TTriggerRow,
  ctx: Pick<TAuthContext, 'role' | 'roleCap'>,
  now = new Date(),
): TTriggerRecord {
  const parsed = parseTriggerConfig(row.type, row.config);
  const record: TTriggerRecord = {
    id: row.id,
    workflowKey: row.workflow_key,
    type: row.type,
    config: parsed.config,
    version: row.version,
    enabled: row.enabled,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    lastFiredAt: row.last_fired_at?.toISOString() ?? null,
  };
  if (row.type === 'webhook') {
    const sealed =
      row.token_ciphertext && row.token_iv && row.token_tag
        ? { ciphertext: row.token_ciphertext, iv: row.token_iv, authTag: row.token_tag }
        : null;
    record.url =
      sealed && roleAllows(ctx.role, 'run.start') && (!ctx.roleCap || roleAllows(ctx.roleCap, 'run.start'))
        ? webhookUrl(openWebhookToken({ tenantId: row.tenant_id, triggerId: row.id, sealed }))
        : null;
  }
  if (parsed.type === 'schedule') {
    record.nextFireTimes = nextFireTimes({ cron: parsed.config.cron, timezone: parsed.config.timezone, from: now }).map(
      (d) => d.toISOString(),
    );
  }
  return record;
}
