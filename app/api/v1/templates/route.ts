import { apiRoute } from '@/server/api/route';
import { listTemplatesContract } from '@/server/api/contracts/templates';
import { WORKFLOW_TEMPLATES, summariseTemplate } from '@/server/templates/workflow-templates';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listTemplatesContract, async () => ({
  items: WORKFLOW_TEMPLATES.map(summariseTemplate),
  nextCursor: null,
}));
