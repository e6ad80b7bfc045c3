import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZStepId } from '@/server/workflows/definition/step';
import { ZWorkflowKey } from '@/server/workflows/definition/version-document';
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
