import { apiRoute } from '@/server/api/route';
import { deleteWorkflowContract, getWorkflowContract, updateWorkflowContract } from '@/server/api/contracts/workflows';
import { deleteWorkflow } from '@/server/workflows/delete-workflow';
import { getWorkflow } from '@/server/workflows/get-workflow';
import { updateWorkflow } from '@/server/workflows/update-workflow';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(getWorkflowContract, ({ db, ctx, params }) => getWorkflow({ db, ctx, input: params }));

export const PATCH = apiRoute(updateWorkflowContract, ({ db, ctx, params, body }) =>
  updateWorkflow({ db, ctx, input: { ...body, key: params.key } }),
);

export const DELETE = apiRoute(deleteWorkflowContract, async ({ db, ctx, params }) => {
  await deleteWorkflow({ db, ctx, input: params });
  return null;
});
