import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { recordAudit } from '@/server/audit/record-audit';
import { DEFAULT_ALERT_WINDOW_MS, type TAlertKind } from '@/model/alert-rule';
import { deliverAlert, type TAlertPayload } from '@/server/alerts/deliver-alert';
import { openAlertSigningSecret } from '@/server/alerts/alert-signing-secret';
import { setWorkflowPaused } from '@/server/workflows/set-workflow-paused';

/** How often a worker evaluates the alert rules. */
export const ALERT_INTERVAL_MS = 15_000;
const ALERTS_LOCK = 'pipewright.alerts';
const SYSTEM = { type: 'system' as const, name: 'alerts' };

type TRuleRow = {
  id: string;
  tenant_id: string;
  tenant_slug: string;
  workflow_id: string | null;
  workflow_key: string | null;
  kind: TAlertKind;
  threshold: number | null;
  window_ms: string | null;
  min_runs: number | null;
  after_ms: string | null;
  webhook_url: string | null;
  email: string | null;
  signing_secret: string;
  pause_workflow: boolean;
  last_fired_at: Date | null;
  open_firing: string | null;
};

type TVerdict = { firing: boolean; summary: string; details: Record<string, unknown> };

// A workflow's runs by tenant and key as well as by id: the (tenant, key, …) indexes of the runs
// list serve the looks below; there is no index of QUEUED runs by workflow id (20270108000100).
const scope = (rule: TRuleRow) =>
  rule.workflow_id
    ? sql`tenant_id = ${rule.tenant_id} AND workflow_key = ${rule.workflow_key} AND workflow_id = ${rule.workflow_id}`
    : sql`tenant_id = ${rule.tenant_id}`;
const where = (rule: TRuleRow) => (rule.workflow_key ? `workflow ${rule.workflow_key}` : 'the tenant');

/** Whether the rule's condition holds now (SPEC §8), read through (tenant, status/time) indexes. */
async function judge(db: Db, rule: TRuleRow): Promise<TVerdict> {
  switch (rule.kind) {
    case 'failureRate': {
      // Test runs of a draft ("Run draft") fail as a draft is being fixed; that pages nobody.
      const windowMs = Number(rule.window_ms ?? DEFAULT_ALERT_WINDOW_MS);
      const counts = await sql<{ total: number; failed: number }>`
        SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'FAILED')::int AS failed FROM runs
         WHERE ${scope(rule)} AND NOT is_test AND completed_at IS NOT NULL AND completed_at > now() - make_interval(secs => ${windowMs / 1000})
           AND status IN ('SUCCEEDED', 'FAILED', 'CANCELED')`.execute(db);
      const { total, failed } = counts.rows[0]!;
      const rate = total === 0 ? 0 : failed / total;
      const threshold = rule.threshold ?? 1;
      return {
        firing: total >= (rule.min_runs ?? 1) && rate >= threshold,
        summary: `${failed} of ${total} runs of ${where(rule)} failed in the last ${Math.round(windowMs / 60_000)} min (${Math.round(rate * 100)}%, threshold ${Math.round(threshold * 100)}%)`,
        details: { failed, total, rate, threshold, windowMs },
      };
    }
    case 'stuck': {
      const afterMs = Number(rule.after_ms);
      const stuck = await sql<{ n: number; oldest: string | null }>`
        SELECT count(*)::int AS n, (array_agg(id ORDER BY updated_at))[1]::text AS oldest FROM runs
         WHERE ${scope(rule)} AND status IN ('RUNNING', 'QUEUED') AND updated_at < now() - make_interval(secs => ${afterMs / 1000})`.execute(
        db,
      );
      const { n, oldest } = stuck.rows[0]!;
      return {
        firing: n > 0,
        summary: `${n} run(s) of ${where(rule)} without progress for over ${Math.round(afterMs / 60_000)} min`,
        details: { runs: n, oldestRunId: oldest, afterMs },
      };
    }
    case 'queueAge': {
      const afterMs = Number(rule.after_ms);
      const oldest = await sql<{ id: string; age_s: number }>`
        SELECT id, date_part('epoch', now() - created_at)::float8 AS age_s FROM runs
         WHERE ${scope(rule)} AND status = 'QUEUED' ORDER BY created_at LIMIT 1`.execute(db);
      const row = oldest.rows[0];
      return {
        firing: row !== undefined && row.age_s * 1000 > afterMs,
        summary: `the oldest queued run of ${where(rule)} has waited ${row ? Math.round(row.age_s) : 0} s (limit ${Math.round(afterMs / 1000)} s)`,
        details: { oldestRunId: row?.id ?? null, ageSeconds: row?.age_s ?? 0, afterMs },
      };
    }
  }
}

/**
 * One pass over every alert rule (a worker timer every 15 s; one worker at a time under a
 * session advisory lock). A rule whose condition holds fires when it has not fired within its
 * window (`windowMs`, else `afterMs`): a firing row, an audit entry, `pauseWorkflow` applied,
 * all in one transaction; then the notification goes out (at most once: a crash before it
 * sends nothing, and the window has begun). A firing still open whose condition no longer
 * holds is marked resolved. Returns the ids fired.
 */
export async function evaluateAlerts({ db }: { db: Db }): Promise<{ ran: boolean; fired: string[]; resolved: number }> {
  return db.connection().execute(async (conn) => {
    const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(hashtext(${ALERTS_LOCK})) AS ok`.execute(conn);
    if (!lock.rows[0]?.ok) return { ran: false, fired: [], resolved: 0 };
    try {
      const rules = await sql<TRuleRow>`
        SELECT r.id, r.tenant_id, t.slug AS tenant_slug, r.workflow_id, w.key AS workflow_key, r.kind, r.threshold,
               r.window_ms, r.min_runs, r.after_ms, r.webhook_url, r.email, r.signing_secret, r.pause_workflow,
               (SELECT max(fired_at) FROM alert_firings f WHERE f.rule_id = r.id) AS last_fired_at,
               (SELECT f.id::text FROM alert_firings f WHERE f.rule_id = r.id AND f.resolved_at IS NULL ORDER BY fired_at DESC LIMIT 1) AS open_firing
          FROM alert_rules r JOIN tenants t ON t.id = r.tenant_id LEFT JOIN workflows w ON w.id = r.workflow_id
         ORDER BY r.created_at`.execute(conn);
      const fired: string[] = [];
      let resolved = 0;
      for (const rule of rules.rows) {
        const verdict = await judge(conn as unknown as Db, rule);
        if (!verdict.firing) {
          if (rule.open_firing) {
            await conn.transaction().execute(async (tx) => {
              await tx
                .updateTable('alert_firings')
                .set({ resolved_at: new Date() })
                .where('id', '=', rule.open_firing!)
                .execute();
              await recordAudit({
                db: tx,
                ctx: { tenantId: rule.tenant_id, actor: SYSTEM },
                entry: {
                  action: 'alert.resolved',
                  targetType: 'alert',
                  targetId: rule.id,
                  data: { firing: rule.open_firing },
                },
              });
            });
            resolved += 1;
          }
          continue;
        }
        const windowMs = Number(rule.window_ms ?? rule.after_ms ?? DEFAULT_ALERT_WINDOW_MS);
        if (rule.last_fired_at && Date.now() - rule.last_fired_at.getTime() < windowMs) continue;
        const firing = await conn.transaction().execute(async (tx) => {
          const row = await tx
            .insertInto('alert_firings')
            .values({
              tenant_id: rule.tenant_id,
              rule_id: rule.id,
              summary: verdict.summary,
              details: JSON.stringify(verdict.details),
            })
            .returning(['id', 'fired_at'])
            .executeTakeFirstOrThrow();
          // Earlier firings still open are superseded by this one.
          await tx
            .updateTable('alert_firings')
            .set({ resolved_at: new Date() })
            .where('rule_id', '=', rule.id)
            .where('id', '<>', row.id)
            .where('resolved_at', 'is', null)
            .execute();
          let paused = false;
          if (rule.pause_workflow && rule.workflow_key) {
            paused = (
              await setWorkflowPaused({
                tx,
                ctx: { tenantId: rule.tenant_id, actor: SYSTEM },
                key: rule.workflow_key,
                paused: true,
                reason: verdict.summary,
              })
            ).changed;
          }
          await recordAudit({
            db: tx,
            ctx: { tenantId: rule.tenant_id, actor: SYSTEM },
            entry: {
              action: 'alert.fired',
              targetType: 'alert',
              targetId: rule.id,
              data: { firing: row.id, kind: rule.kind, summary: verdict.summary, pausedWorkflow: paused },
            },
          });
          return row;
        });
        const payload: TAlertPayload = {
          type: 'pipewright.alert',
          alert: {
            id: firing.id,
            ruleId: rule.id,
            kind: rule.kind,
            workflow: rule.workflow_key,
            summary: verdict.summary,
            firedAt: firing.fired_at.toISOString(),
            details: verdict.details,
          },
          tenant: rule.tenant_slug,
        };
        const delivery = await deliverAlert({
          db: conn as unknown as Db,
          tenantId: rule.tenant_id,
          payload,
          webhookUrl: rule.webhook_url,
          email: rule.email,
          signingSecret: openAlertSigningSecret({
            tenantId: rule.tenant_id,
            ruleId: rule.id,
            stored: rule.signing_secret,
          }),
        });
        await conn
          .updateTable('alert_firings')
          .set({ delivery: JSON.stringify(delivery) })
          .where('id', '=', firing.id)
          .execute();
        fired.push(firing.id);
      }
      return { ran: true, fired, resolved };
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${ALERTS_LOCK}))`.execute(conn);
    }
  });
}
