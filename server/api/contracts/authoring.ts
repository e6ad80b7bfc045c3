import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZStepId } from '@/model/definition/step';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { ZReplayBody, ZReplayResult } from '@/server/workflows/replay-version';
import { ZTestStepBody, ZTestStepResult } from '@/server/workflows/test-step';
import { ZVersionNumber } from '@/server/workflows/version-record';

const tag = 'Authoring';

export const testStepContract = defineContract({
  operationId: 'testStep',
  method: 'POST',
  path: '/workflows/{key}/versions/{n}/steps/{stepId}/test',
  summary:
    'Run one step (a block with everything inside it) on a given envelope or the one a recorded run had before it; ' +
    'outside effects mocked unless mockActions is false; nothing is written to runs',
  tag,
  permission: 'workflow.write',
  params: z.object({ key: ZWorkflowKey, n: ZVersionNumber, stepId: ZStepId }),
  body: ZTestStepBody,
  response: ZTestStepResult,
  errors: ['NOT_FOUND'],
});

export const replayVersionContract = defineContract({
  operationId: 'replayVersion',
  method: 'POST',
  path: '/workflows/{key}/versions/{n}/replay',
  summary:
    'Run version n (usually the draft) on up to 50 recorded runs, outside effects answered from each run’s ' +
    'recorded outputs by step id; per run, the differences step by step and in the output; nothing is written',
  tag,
  permission: 'workflow.write',
  params: z.object({ key: ZWorkflowKey, n: ZVersionNumber }),
  body: ZReplayBody,
  response: ZReplayResult,
  errors: ['NOT_FOUND'],
});
