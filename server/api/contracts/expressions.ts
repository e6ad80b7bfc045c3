import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZTryExpression } from '@/server/workflows/try-expression';

export const evaluateExpressionContract = defineContract({
  operationId: 'evaluateExpression',
  method: 'POST',
  path: '/expressions/evaluate',
  summary: 'Evaluate a JSONata expression against sample data, under the same limits as a run',
  tag: 'Workflows',
  permission: 'workflow.write',
  body: ZTryExpression,
  response: z.object({ value: z.unknown() }),
  errors: ['VALIDATION'],
});
