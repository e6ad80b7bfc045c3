import 'server-only';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { actorLabel, type TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import type { Db } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { triggerDefinitionProblems } from '@/server/triggers/trigger-definition-problems';
import { ZTriggerDefinition } from '@/model/definition/trigger-config';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { findWorkflow } from '@/server/workflows/find-workflow';
import { syncTriggerSchedule } from '@/server/triggers/sync-trigger-schedules';
import { findTrigger, toTriggerRecord, type TTriggerRecord } from '@/server/triggers/trigger-record';
import { hashWebhookToken, newWebhookToken, sealWebhookToken } from '@/server/triggers/webhook-token';

export const ZCreateTriggerBody = z.intersection(ZTriggerDefinition, z.object({ enabled: z.boolean().default(true) }));
export const ZCreateTrigger = z.intersection(z.object({ key: ZWorkflowKey }), ZCreateTriggerBody);
export type TCreateTrigger = z.input<typeof ZCreateTrigger>;

/**
 * Adds a trigger to a workflow (SPEC §4.5). A webhook gets a fresh unguessable token; a
 * schedule is registered with pg-boss once the trigger is stored. Problems come back all at
 * once as VALIDATION with their paths.
 */
export async function createTrigger({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TCreateTrigger;
}): Promise<TTriggerRecord> {
  assertAllowed(ctx, 'workflow.write');
  const args = ZCreateTrigger.parse(input);
  const { key, enabled, ...definition } = args;
  const workflow = await findWorkflow({ db, tenantId: ctx.tenantId, key });
  const problems = await triggerDefinitionProblems({ db, tenantId: ctx.tenantId, workflowId: workflow.id, definition });
  if (problems.length > 0)
    throw new AppError('VALIDATION', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);

  const id = randomUUID();
  const token = definition.type === 'webhook' ? newWebhookToken() : null;
  const sealed = token ? sealWebhookToken({ tenantId: ctx.tenantId, triggerId: id, token }) : null;
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('triggers')
      .values({
        id,
        tenant_id: ctx.tenantId,
        workflow_id: workflow.id,
        type: definition.type,
        config: JSON.stringify(definition.config),
        version: definition.version ?? null,
        enabled,
        token_hash: token ? hashWebhookToken(token) : null,
        token_ciphertext: sealed?.ciphertext ?? null,
        token_iv: sealed?.iv ?? null,
        token_tag: sealed?.authTag ?? null,
        event: definition.type === 'event' ? definition.config.event : null,
        created_by: actorLabel(ctx.actor),
      })
      .execute();
    // The config holds no secret values (a webhook names its secret), so it is safe to record.
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'trigger.created',
        targetType: 'trigger',
        targetId: id,
        data: { workflowKey: key, type: definition.type, config: definition.config, enabled },
      },
    });
  });
  const row = await findTrigger({ db, tenantId: ctx.tenantId, id });
  if (row.type === 'schedule') await syncTriggerSchedule({ db, triggerId: id });
  return toTriggerRecord(row, ctx);
}
