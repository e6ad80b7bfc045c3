import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { ZStartedTestRun, ZStartTestRunBody } from '@/server/runs/start-test-run';
import { ZVersionNumber } from '@/server/workflows/version-record';

const tag = 'Authoring';

export const startTestRunContract = defineContract({
  operationId: 'startTestRun',
  method: 'POST',
  path: '/workflows/{key}/versions/{n}/test-runs',
  summary:
    'Start a test run of version n as it is now (usually the draft): a real run, marked test, that keeps its own ' +
    'copy of the document; actions with outside effects answer null unless mockActions is false',
  tag,
  permission: 'run.start',
  params: z.object({ key: ZWorkflowKey, n: ZVersionNumber }),
  body: ZStartTestRunBody,
  response: ZStartedTestRun,
  successStatus: 202,
  errors: ['NOT_FOUND'],
});
