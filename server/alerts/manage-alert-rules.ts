import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Db, DbOrTx } from '@/server/db/database';
import { actorLabel, type TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError, validationErrorFromZod } from '@/model/errors';
import { ZAlertRuleInput, type TAlertRuleInput } from '@/model/alert-rule';
import { ZAlertRuleId, toAlertRuleRecord, type TAlertRuleRecord } from '@/server/alerts/alert-record';
import { newAlertSigningSecret } from '@/server/alerts/alert-signing-secret';

const ruleColumns = [
  'r.id',
  'r.kind',
  'w.key as workflow_key',
  'r.threshold',
  'r.window_ms',
  'r.min_runs',
  'r.after_ms',
  'r.webhook_url',
  'r.email',
  'r.pause_workflow',
  'r.created_by',
  'r.created_at',
] as const;

function selectRules(db: DbOrTx, tenantId: string) {
  return db
    .selectFrom('alert_rules as r')
    .leftJoin('workflows as w', 'w.id', 'r.workflow_id')
    .select(ruleColumns)
    .where('r.tenant_id', '=', tenantId);
}

/** The tenant's alert rules, oldest first; `workflow` narrows to one workflow's. */
export async function listAlertRules({
  db,
  ctx,
  workflow,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  workflow?: string;
}): Promise<TAlertRuleRecord[]> {
  assertAllowed(ctx, 'workflow.read');
  let query = selectRules(db, ctx.tenantId);
  if (workflow) query = query.where('w.key', '=', workflow);
  return (await query.orderBy('r.created_at').execute()).map(toAlertRuleRecord);
}

/**
 * Creates an alert rule (editors and admins). Returns it with the key its webhooks are signed
 * with (`Pipewright-Signature`, as webhook.send signs), shown this once.
 */
export async function createAlertRule({
  db,
  ctx,
  input: raw,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TAlertRuleInput;
}): Promise<{ rule: TAlertRuleRecord; signingSecret: string }> {
  assertAllowed(ctx, 'workflow.write');
  const parsed = ZAlertRuleInput.safeParse(raw);
  if (!parsed.success) throw validationErrorFromZod(parsed.error);
  const input = parsed.data;
  return db.transaction().execute(async (tx) => {
    let workflowId: string | null = null;
    if (input.workflow) {
      const workflow = await tx
        .selectFrom('workflows')
        .select('id')
        .where('tenant_id', '=', ctx.tenantId)
        .where('key', '=', input.workflow)
        .executeTakeFirst();
      if (!workflow) throw new AppError('NOT_FOUND', `No workflow with key ${input.workflow}.`);
      workflowId = workflow.id;
    }
    const id = randomUUID();
    const secret = newAlertSigningSecret({ tenantId: ctx.tenantId, ruleId: id });
    await tx
      .insertInto('alert_rules')
      .values({
        id,
        tenant_id: ctx.tenantId,
        workflow_id: workflowId,
        kind: input.kind,
        threshold: input.threshold ?? null,
        window_ms: input.windowMs ?? null,
        min_runs: input.minRuns ?? null,
        after_ms: input.afterMs ?? null,
        webhook_url: input.notify.webhookUrl ?? null,
        email: input.notify.email ?? null,
        signing_secret: secret.stored,
        pause_workflow: input.pauseWorkflow ?? false,
        created_by: actorLabel(ctx.actor),
      })
      .execute();
    const rule = toAlertRuleRecord(
      await selectRules(tx, ctx.tenantId).where('r.id', '=', id).executeTakeFirstOrThrow(),
    );
    await recordAudit({
      db: tx,
      ctx,
      entry: { action: 'alert.created', targetType: 'alert', targetId: id, data: { ...rule, notify: rule.notify } },
    });
    return { rule, signingSecret: secret.value };
  });
}

/** Deletes an alert rule and what it fired. */
export async function deleteAlertRule({ db, ctx, id }: { db: Db; ctx: TAuthContext; id: string }): Promise<void> {
  assertAllowed(ctx, 'workflow.write');
  if (!ZAlertRuleId.safeParse(id).success) throw new AppError('NOT_FOUND', `No alert rule with id ${id}.`);
  await db.transaction().execute(async (tx) => {
    const deleted = await tx
      .deleteFrom('alert_rules')
      .where('tenant_id', '=', ctx.tenantId)
      .where('id', '=', id)
      .returning(['kind'])
      .executeTakeFirst();
    if (!deleted) throw new AppError('NOT_FOUND', `No alert rule with id ${id}.`);
    await recordAudit({ db: tx, ctx, entry: { action: 'alert.deleted', targetType: 'alert', targetId: id } });
  });
}

/** Recent alerts of the tenant (fired, and resolved or not), newest first. */
export async function listAlertFirings({ db, ctx, limit = 20 }: { db: DbOrTx; ctx: TAuthContext; limit?: number }) {
  assertAllowed(ctx, 'run.read');
  const rows = await db
    .selectFrom('alert_firings as f')
    .innerJoin('alert_rules as r', 'r.id', 'f.rule_id')
    .leftJoin('workflows as w', 'w.id', 'r.workflow_id')
    .select([
      'f.id',
      'f.rule_id',
      'r.kind',
      'w.key as workflow_key',
      'f.summary',
      'f.fired_at',
      'f.resolved_at',
      'f.delivery',
    ])
    .where('f.tenant_id', '=', ctx.tenantId)
    .orderBy('f.fired_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    ruleId: row.rule_id,
    kind: row.kind,
    workflow: row.workflow_key,
    summary: row.summary,
    firedAt: row.fired_at.toISOString(),
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    delivery: row.delivery,
  }));
}
