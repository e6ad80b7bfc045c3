'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { tryExpression, ZTryExpression } from '@/server/workflows/try-expression';

/** The designer's "try it" button: same limits as a run, against the sample data given. */
export const evaluateExpressionAction = defineServerAction(
  { permission: 'workflow.write', input: ZTryExpression },
  ({ ctx, input }) => tryExpression({ ctx, input }),
);
