import 'server-only';
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import { z } from 'zod';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import type { Db } from '@/server/db/database';
import { AppError } from '@/model/errors';
import {
  TRIGGER_KINDS,
  ZTriggerDefinition,
  parseTriggerConfig,
  type TTriggerDefinition,
} from '@/model/definition/trigger-config';
import { syncTriggerSchedule } from '@/server/triggers/sync-trigger-schedules';
import { triggerDefinitionProblems } from '@/server/triggers/trigger-definition-problems';
import { findTrigger, toTriggerRecord, type TTriggerRecord } from '@/server/triggers/trigger-record';

/**
 * PATCH /triggers/{id}: any of `enabled`, `version` (a published version to pin, or null for
 * the latest) and `config` (the whole new config of the trigger's type, as at creation). The
 * type cannot change; `type` may be sent when it names the trigger's own type.
 */
const ZUpdateTriggerFields = z
  .object({
    type: z.enum(TRIGGER_KINDS).optional(),
    enabled: z.boolean().optional(),
    version: z.number().int().min(1).nullable().optional(),
    config: z.record(z.unknown()).optional(),
  })
  .strict();
const somethingToChange = [
  (body: z.infer<typeof ZUpdateTriggerFields>) =>
    body.enabled !== undefined || body.version !== undefined || body.config !== undefined,
  { message: 'send at least one of enabled, version, config' },
] as const;
export const ZUpdateTriggerBody = ZUpdateTriggerFields.refine(...somethingToChange);
export const ZUpdateTrigger = ZUpdateTriggerFields.extend({ id: z.string() }).refine(...somethingToChange);
export type TUpdateTrigger = z.input<typeof ZUpdateTrigger>;

/**
 * Edits a trigger in place: its id, webhook URL (token) and firing history stay. The new
 * definition is checked exactly as a creation is (the config's schema, then cron and time zone,
 * the schedule's input against the parameter schema, JSONata syntax, the secret's existence),
 * every problem at its path. A schedule whose cron or time zone changed counts its slots from
 * now, like one just enabled, so an edit never fires a slot that passed under the old timing.
 */
export async function updateTrigger({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TUpdateTrigger;
}): Promise<TTriggerRecord> {
  assertAllowed(ctx, 'workflow.write');
  const { id, type, enabled, version, config } = ZUpdateTrigger.parse(input);
  const trigger = await findTrigger({ db, tenantId: ctx.tenantId, id });
  if (type !== undefined && type !== trigger.type)
    throw new AppError('VALIDATION', `type: a ${trigger.type} trigger cannot become a ${type} trigger`, [
      { path: 'type', message: `cannot change (this is a ${trigger.type} trigger): create a new trigger instead` },
    ]);
  const before = parseTriggerConfig(trigger.type, trigger.config).config;
  const nextVersion = version === undefined ? trigger.version : version;
  // Parsed as a whole definition so the config's own paths come back as `config.<field>`.
  const definition: TTriggerDefinition = ZTriggerDefinition.parse({
    type: trigger.type,
    config: config ?? before,
    ...(nextVersion === null ? {} : { version: nextVersion }),
  });
  const problems = await triggerDefinitionProblems({
    db,
    tenantId: ctx.tenantId,
    workflowId: trigger.workflow_id,
    definition,
  });
  if (problems.length > 0)
    throw new AppError('VALIDATION', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);

  const changed = [
    ...(enabled !== undefined && enabled !== trigger.enabled ? ['enabled'] : []),
    ...(nextVersion !== trigger.version ? ['version'] : []),
    ...(!isDeepStrictEqual(definition.config, before) ? ['config'] : []),
  ];
  if (changed.length === 0) return toTriggerRecord(trigger, ctx);
  const timingChanged =
    definition.type === 'schedule' &&
    'cron' in before &&
    (before.cron !== definition.config.cron || before.timezone !== definition.config.timezone);
  const restartSlots = timingChanged || (enabled === true && !trigger.enabled);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('triggers')
      .set({
        config: JSON.stringify(definition.config),
        version: nextVersion,
        enabled: enabled ?? trigger.enabled,
        event: definition.type === 'event' ? definition.config.event : null,
        updated_at: sql`now()`,
        ...(restartSlots ? { last_slot: null } : {}),
      })
      .where('tenant_id', '=', ctx.tenantId)
      .where('id', '=', id)
      .execute();
    // Configs hold no secret values (a webhook names its secret), so both are safe to record.
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action:
          changed.length === 1 && changed[0] === 'enabled'
            ? enabled
              ? 'trigger.enabled'
              : 'trigger.disabled'
            : 'trigger.updated',
        targetType: 'trigger',
        targetId: id,
        data: {
          workflowKey: trigger.workflow_key,
          type: trigger.type,
          changed,
          ...(changed.includes('config') ? { before, config: definition.config } : {}),
          ...(changed.includes('version') ? { fromVersion: trigger.version, toVersion: nextVersion } : {}),
        },
      },
    });
  });
  if (trigger.type === 'schedule') await syncTriggerSchedule({ db, triggerId: id });
  return toTriggerRecord(await findTrigger({ db, tenantId: ctx.tenantId, id }), ctx);
}
