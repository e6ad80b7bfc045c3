import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZRunId } from '@/server/runs/run-record';
import { ZTenantSettings, ZTenantSettingsPatch } from '@/model/tenant-settings';
import { ALERT_KINDS, ZAlertRuleInput } from '@/model/alert-rule';
import { ZAlertRuleRecord } from '@/server/alerts/alert-record';

const ZTenantRecord = z.object({ id: z.string(), slug: z.string(), name: z.string(), settings: ZTenantSettings });

export const getTenantContract = defineContract({
  operationId: 'getTenant',
  method: 'GET',
  path: '/tenant',
  summary:
    "The caller's tenant with its settings: retentionDays (default of its runs' retention; null = 30), maxConcurrentRuns and runsPerMinute (tenant-wide limits; null = none), artifactQuotaBytes (bytes its runs' artifacts may hold; null = PIPEWRIGHT_ARTIFACT_QUOTA_BYTES, else 1 GiB)",
  tag: 'Operations',
  permission: 'tenant.read',
  response: ZTenantRecord,
});

export const updateTenantContract = defineContract({
  operationId: 'updateTenant',
  method: 'PATCH',
  path: '/tenant',
  summary:
    "Change the tenant's settings (admins): any of retentionDays, maxConcurrentRuns, runsPerMinute, artifactQuotaBytes; null clears one",
  tag: 'Operations',
  permission: 'tenant.manage',
  body: ZTenantSettingsPatch,
  response: ZTenantRecord,
  errors: ['VALIDATION'],
});

export const deleteRunContract = defineContract({
  operationId: 'deleteRun',
  method: 'DELETE',
  path: '/runs/{id}',
  summary:
    'Delete an ended run now (admins), with its steps, events, snapshots, waits, tasks and child runs; 409 when it or a child run is not terminal',
  tag: 'Runs',
  permission: 'run.delete',
  params: z.object({ id: ZRunId }),
  query: z.object({ reason: z.string().trim().max(500).optional() }),
  response: z.object({ runId: z.string(), deleted: z.number().int() }),
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const getMetricsContract = defineContract({
  operationId: 'getMetrics',
  method: 'GET',
  path: '/metrics',
  summary:
    'Prometheus text format (SPEC §8). An admin token sees its tenant; Bearer $PIPEWRIGHT_METRICS_TOKEN sees every tenant with a `tenant` label',
  tag: 'Operations',
  // Authenticates itself: the metrics token is not an API token.
  permission: null,
  response: z.string(),
  errors: ['UNAUTHENTICATED', 'FORBIDDEN'],
});

export const exportRunContract = defineContract({
  operationId: 'exportRun',
  method: 'GET',
  path: '/runs/{id}/export',
  summary:
    'One JSON document of the run: run, steps, events, snapshots and tasks, redacted as the run page shows them; `download=1` adds Content-Disposition',
  tag: 'Runs',
  permission: 'run.read',
  params: z.object({ id: ZRunId }),
  query: z.object({ download: z.enum(['1']).optional() }),
  response: z.object({
    format: z.literal('pipewright.run-export'),
    formatVersion: z.literal(1),
    exportedAt: z.string(),
    run: z.record(z.unknown()),
    steps: z.array(z.record(z.unknown())),
    events: z.array(z.record(z.unknown())),
    snapshots: z.array(z.record(z.unknown())),
    tasks: z.array(z.record(z.unknown())),
  }),
  errors: ['NOT_FOUND'],
});

export const listAlertRulesContract = defineContract({
  operationId: 'listAlertRules',
  method: 'GET',
  path: '/alerts',
  summary: 'Alert rules of the tenant (`workflow` narrows to one workflow) and the alerts fired lately',
  tag: 'Operations',
  permission: 'workflow.read',
  query: z.object({ workflow: z.string().max(64).optional() }),
  response: z.object({
    items: z.array(ZAlertRuleRecord),
    nextCursor: z.null(),
    fired: z.array(
      z.object({
        id: z.string(),
        ruleId: z.string(),
        kind: z.enum(ALERT_KINDS),
        workflow: z.string().nullable(),
        summary: z.string(),
        firedAt: z.string(),
        resolvedAt: z.string().nullable(),
      }),
    ),
  }),
});

export const createAlertRuleContract = defineContract({
  operationId: 'createAlertRule',
  method: 'POST',
  path: '/alerts',
  summary:
    '{kind: failureRate|stuck|queueAge, workflow?, threshold?, windowMs?, minRuns?, afterMs?, notify: {webhookUrl?, email?}, pauseWorkflow?} → the rule and, once, the key its webhooks are signed with',
  tag: 'Operations',
  permission: 'workflow.write',
  body: ZAlertRuleInput,
  response: z.object({ rule: ZAlertRuleRecord, signingSecret: z.string() }),
  successStatus: 201,
  errors: ['VALIDATION', 'NOT_FOUND'],
});

export const deleteAlertRuleContract = defineContract({
  operationId: 'deleteAlertRule',
  method: 'DELETE',
  path: '/alerts/{id}',
  summary: 'Delete an alert rule and what it fired',
  tag: 'Operations',
  permission: 'workflow.write',
  params: z.object({ id: z.string().max(100) }),
  successStatus: 204,
  errors: ['NOT_FOUND'],
});
