import { apiRoute } from '@/server/api/route';
import { importWorkflowContract } from '@/server/api/contracts/workflows';
import { importWorkflow } from '@/server/workflows/import-workflow';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(importWorkflowContract, ({ db, ctx, body }) =>
  importWorkflow({ db, ctx, input: { document: body } }),
);
