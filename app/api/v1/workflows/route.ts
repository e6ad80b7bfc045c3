import { apiRoute } from '@/server/api/route';
import { createWorkflowContract, listWorkflowsContract } from '@/server/api/contracts/workflows';
import { createWorkflow } from '@/server/workflows/create-workflow';
import { listWorkflows } from '@/server/workflows/list-workflows';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listWorkflowsContract, ({ db, ctx, query }) => listWorkflows({ db, ctx, input: query }));

export const POST = apiRoute(createWorkflowContract, ({ db, ctx, body }) => createWorkflow({ db, ctx, input: body }));
