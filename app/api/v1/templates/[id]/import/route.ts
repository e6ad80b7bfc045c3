import { apiRoute } from '@/server/api/route';
import { importTemplateContract } from '@/server/api/contracts/templates';
import { importTemplate } from '@/server/templates/import-template';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(importTemplateContract, ({ db, ctx, params }) =>
  importTemplate({ db, ctx, input: { id: params.id } }),
);
