import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZTemplateSummary } from '@/server/templates/workflow-templates';
import { ZImported } from '@/server/workflows/import-workflow';

export const listTemplatesContract = defineContract({
  operationId: 'listTemplates',
  method: 'GET',
  path: '/templates',
  summary: 'The templates gallery (SPEC §9): ready workflows that import as a new draft',
  tag: 'Workflows',
  permission: 'workflow.read',
  response: z.object({ items: z.array(ZTemplateSummary), nextCursor: z.null() }),
});

export const importTemplateContract = defineContract({
  operationId: 'importTemplate',
  method: 'POST',
  path: '/templates/{id}/import',
  summary:
    "Import a template as a new workflow with the template's document as its draft; a taken key gets a -2, -3… suffix, never replacing a draft",
  tag: 'Workflows',
  permission: 'workflow.write',
  params: z.object({ id: z.string() }),
  response: ZImported,
  successStatus: 201,
  errors: ['NOT_FOUND', 'CONFLICT'],
});
