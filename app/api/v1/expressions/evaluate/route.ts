import { apiRoute } from '@/server/api/route';
import { evaluateExpressionContract } from '@/server/api/contracts/expressions';
import { tryExpression } from '@/server/workflows/try-expression';

export const POST = apiRoute(evaluateExpressionContract, async ({ ctx, body }) => tryExpression({ ctx, input: body }));
