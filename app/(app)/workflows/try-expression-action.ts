'use server';

import { defineAction } from '@/server/actions/define-action';
import { tryExpression, ZTryExpression } from '@/server/workflows/try-expression';

/** The designer's "try it" button: same limits as a run, against the sample data given. */
export const evaluateExpressionAction = defineAction({ permission: 'workflow.write', input: ZTryExpression }, ({ ctx, input }) => tryExpression({ ctx, input }));
