import { apiRoute, jsonResponse } from '@/server/api/route';
import { startTestRunContract } from '@/server/api/contracts/testing';
import { startTestRun } from '@/server/runs/start-test-run';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(startTestRunContract, async ({ db, ctx, params, body }) =>
  jsonResponse(await startTestRun({ db, ctx, input: { ...body, key: params.key, version: params.n } }), 202),
);
