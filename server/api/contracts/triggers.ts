import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { ZCreateTriggerBody } from '@/server/triggers/create-trigger';
import { ZTriggerFiring } from '@/server/triggers/list-trigger-firings';
import { ZWebhookAnswer } from '@/server/triggers/receive-webhook';
import { ZFireTriggerNowAnswer } from '@/server/triggers/fire-trigger-now';
import { ZPreviewSchedule, ZSchedulePreview } from '@/server/triggers/preview-schedule';
import { ZUpdateTriggerBody } from '@/server/triggers/update-trigger';
import { ZWebhookListen } from '@/server/triggers/webhook-listen';
import { ZTriggerRecord } from '@/server/triggers/trigger-record';

const ZTriggerId = z.object({ id: z.string() });

export const listTriggersContract = defineContract({
  operationId: 'listTriggers',
  method: 'GET',
  path: '/workflows/{key}/triggers',
  summary:
    "A workflow's triggers; webhooks with their URL (for callers who may start runs), schedules with their next five fire times",
  tag: 'Triggers',
  permission: 'workflow.read',
  params: z.object({ key: ZWorkflowKey }),
  response: z.object({ items: z.array(ZTriggerRecord), nextCursor: z.null() }),
  errors: ['NOT_FOUND'],
});

export const createTriggerContract = defineContract({
  operationId: 'createTrigger',
  method: 'POST',
  path: '/workflows/{key}/triggers',
  summary: 'Add a trigger: {type: manual|webhook|schedule|event, config, version?, enabled?} (SPEC §4.5)',
  tag: 'Triggers',
  permission: 'workflow.write',
  params: z.object({ key: ZWorkflowKey }),
  body: ZCreateTriggerBody,
  response: ZTriggerRecord,
  successStatus: 201,
  errors: ['NOT_FOUND', 'VALIDATION'],
});

export const deleteTriggerContract = defineContract({
  operationId: 'deleteTrigger',
  method: 'DELETE',
  path: '/triggers/{id}',
  summary: 'Delete a trigger; a webhook URL stops working at once, runs it started stay',
  tag: 'Triggers',
  permission: 'workflow.write',
  params: ZTriggerId,
  successStatus: 204,
  errors: ['NOT_FOUND'],
});

export const updateTriggerContract = defineContract({
  operationId: 'updateTrigger',
  method: 'PATCH',
  path: '/triggers/{id}',
  summary:
    'Edit a trigger in place: {enabled?, version? (null: latest), config? (the whole config of its type)}. Id, webhook URL and history stay; checked like a creation (422 naming the field)',
  tag: 'Triggers',
  permission: 'workflow.write',
  params: ZTriggerId,
  body: ZUpdateTriggerBody,
  response: ZTriggerRecord,
  errors: ['NOT_FOUND', 'VALIDATION'],
});

export const fireTriggerNowContract = defineContract({
  operationId: 'fireTriggerNow',
  method: 'POST',
  path: '/triggers/{id}/fire',
  summary: "Fire a schedule now: start one run with its input (audit-logged); the schedule's own slots are unchanged",
  tag: 'Triggers',
  permission: 'run.start',
  params: ZTriggerId,
  response: ZFireTriggerNowAnswer,
  successStatus: 202,
  errors: ['NOT_FOUND', 'CONFLICT', 'VALIDATION'],
});

export const previewScheduleContract = defineContract({
  operationId: 'previewSchedule',
  method: 'GET',
  path: '/triggers/schedule-preview',
  summary: 'The next fire times (default 5) of {cron, timezone}, checked as a schedule trigger would be',
  tag: 'Triggers',
  permission: 'workflow.read',
  query: ZPreviewSchedule,
  response: ZSchedulePreview,
  errors: ['VALIDATION'],
});

export const startWebhookListenContract = defineContract({
  operationId: 'startWebhookListen',
  method: 'POST',
  path: '/triggers/{id}/listen',
  summary:
    'Listen for a test event for two minutes: the next request this webhook receives is kept (headers masked, body, signature check) and handled as usual',
  tag: 'Triggers',
  permission: 'workflow.write',
  params: ZTriggerId,
  response: ZWebhookListen,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const readWebhookListenContract = defineContract({
  operationId: 'readWebhookListen',
  method: 'GET',
  path: '/triggers/{id}/listen',
  summary: "A webhook's listen window: idle, listening, captured (with the request) or expired",
  tag: 'Triggers',
  permission: 'workflow.write',
  params: ZTriggerId,
  response: ZWebhookListen,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const listTriggerFiringsContract = defineContract({
  operationId: 'listTriggerFirings',
  method: 'GET',
  path: '/triggers/{id}/firings',
  summary:
    "A trigger's latest firings (newest first): started, duplicate, rejected or failed, with the run each started",
  tag: 'Triggers',
  permission: 'workflow.read',
  params: ZTriggerId,
  query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(20) }),
  response: z.object({ items: z.array(ZTriggerFiring), nextCursor: z.null() }),
  errors: ['NOT_FOUND'],
});

export const receiveWebhookContract = defineContract({
  operationId: 'receiveWebhook',
  method: 'POST',
  path: '/hooks/{token}',
  summary:
    'Webhook trigger: the JSON body (at most 256 KiB) is the run input. With a secret, Pipewright-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.rawBody"> within 300 s. 202 {runId, status}; 200 with output when a sync webhook saw the run finish',
  tag: 'Triggers',
  permission: null,
  params: z.object({ token: z.string() }),
  response: ZWebhookAnswer,
  successStatus: 202,
  errors: [
    'BAD_REQUEST',
    'UNAUTHENTICATED',
    'NOT_FOUND',
    'PAYLOAD_TOO_LARGE',
    'VALIDATION',
    'RATE_LIMITED',
    'CONFLICT',
  ],
});
