import { apiRoute, jsonResponse } from '@/server/api/route';
import { startWorkflowRunContract } from '@/server/api/contracts/runs';
import { startWorkflowRun } from '@/server/runs/start-workflow-run';

export const dynamic = 'force-dynamic';

/** 202 while the run is under way; 200 with its output when a sync start saw it finish. */
export const POST = apiRoute(startWorkflowRunContract, async ({ db, ctx, params, body }) => {
  const { finished, ...result } = await startWorkflowRun({ db, ctx, input: { ...body, key: params.key } });
  return jsonResponse(result, finished ? 200 : 202);
});
