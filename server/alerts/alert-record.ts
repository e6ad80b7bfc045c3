import 'server-only';
import { z } from 'zod';
import { ALERT_KINDS } from '@/model/alert-rule';

export const ZAlertRuleId = z.string().uuid('not an alert rule id');

export const ZAlertRuleRecord = z.object({
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  workflow: z.string().nullable(),
  threshold: z.number().nullable(),
  windowMs: z.number().nullable(),
  minRuns: z.number().nullable(),
  afterMs: z.number().nullable(),
  notify: z.object({ webhookUrl: z.string().optional(), email: z.string().optional() }),
  pauseWorkflow: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type TAlertRuleRecord = z.infer<typeof ZAlertRuleRecord>;

export const ZAlertFiringRecord = z.object({
  id: z.string(),
  ruleId: z.string(),
  kind: z.enum(ALERT_KINDS),
  workflow: z.string().nullable(),
  summary: z.string(),
  firedAt: z.string(),
  resolvedAt: z.string().nullable(),
  delivery: z.record(z.unknown()),
});
export type TAlertFiringRecord = z.infer<typeof ZAlertFiringRecord>;

type TRuleRow = {
  id: string;
  kind: (typeof ALERT_KINDS)[number];
  workflow_key: string | null;
  threshold: number | null;
  window_ms: string | null;
  min_runs: number | null;
  after_ms: string | null;
  webhook_url: string | null;
  email: string | null;
  pause_workflow: boolean;
  created_by: string;
  created_at: Date;
};

export function toAlertRuleRecord(row: TRuleRow): TAlertRuleRecord {
  return {
    id: row.id,
    kind: row.kind,
    workflow: row.workflow_key,
    threshold: row.threshold,
    windowMs: row.window_ms === null ? null : Number(row.window_ms),
    minRuns: row.min_runs,
    afterMs: row.after_ms === null ? null : Number(row.after_ms),
    notify: {
      ...(row.webhook_url ? { webhookUrl: row.webhook_url } : {}),
      ...(row.email ? { email: row.email } : {}),
    },
    pauseWorkflow: row.pause_workflow,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}
