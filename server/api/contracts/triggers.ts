import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { ZCreateTriggerBody } from '@/server/triggers/create-trigger';
import { ZTriggerFiring } from '@/server/triggers/list-trigger-firings';
import { ZWebhookAnswer } from '@/server/triggers/receive-webhook';
import { ZSetTriggerEnabledBody } from '@/server/triggers/set-trigger-enabled';
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

export const setTriggerEnabledContract = defineContract({
  operationId: 'setTriggerEnabled',
  method: 'PATCH',
  path: '/triggers/{id}',
  summary: 'Enable or disable a trigger: {enabled}',
  tag: 'Triggers',
  permission: 'workflow.write',
  params: ZTriggerId,
  body: ZSetTriggerEnabledBody,
  response: ZTriggerRecord,
  errors: ['NOT_FOUND'],
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
