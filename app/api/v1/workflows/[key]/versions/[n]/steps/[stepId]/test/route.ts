import { apiRoute } from '@/server/api/route';
import { testStepContract } from '@/server/api/contracts/authoring';
import { testStep } from '@/server/workflows/test-step';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(testStepContract, ({ db, ctx, params, body }) =>
  testStep({ db, ctx, input: { key: params.key, version: params.n, stepId: params.stepId, body } }),
);
