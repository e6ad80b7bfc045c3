import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZLimit } from '@/server/api/pagination';
import { ZCreateWorkflow } from '@/server/workflows/create-workflow';
import { ZVersionDocument, ZWorkflowKey } from '@/model/definition/version-document';
import { ZVersionDiff } from '@/server/workflows/diff-versions';
import { ZVersionDocumentBody } from '@/server/workflows/document-body';
import { ZImportDocument, ZImported } from '@/server/workflows/import-workflow';
import { ZListWorkflows } from '@/server/workflows/list-workflows';
import { ZPublished } from '@/server/workflows/publish-version';
import { ZWorkflowChanges } from '@/server/workflows/update-workflow';
import { ZVersionNumber, ZVersionSummary } from '@/server/workflows/version-record';
import { ZWorkflowRecord } from '@/server/workflows/workflow-record';

const tag = 'Workflows';
const ZKeyParams = z.object({ key: ZWorkflowKey });
const ZVersionParams = z.object({ key: ZWorkflowKey, n: ZVersionNumber });
const page = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const listWorkflowsContract = defineContract({
  operationId: 'listWorkflows',
  method: 'GET',
  path: '/workflows',
  summary:
    'Workflows by key; filter by q (name or key), tag, status, or uses (a node type or action of the latest version or draft)',
  tag,
  permission: 'workflow.read',
  query: ZListWorkflows,
  response: page(ZWorkflowRecord),
});

export const createWorkflowContract = defineContract({
  operationId: 'createWorkflow',
  method: 'POST',
  path: '/workflows',
  summary: 'Create a workflow (no versions yet)',
  tag,
  permission: 'workflow.write',
  body: ZCreateWorkflow,
  response: ZWorkflowRecord,
  successStatus: 201,
  errors: ['CONFLICT'],
});

export const importWorkflowContract = defineContract({
  operationId: 'importWorkflow',
  method: 'POST',
  path: '/workflows/import',
  summary:
    "Import a version document as the workflow's draft (creating the workflow if new); problems are returned, not " +
    "refused. Without `name` or `description` the document takes the workflow's (a new workflow needs a name)",
  tag,
  permission: 'workflow.write',
  body: ZImportDocument,
  response: ZImported,
  errors: ['CONFLICT'],
});

export const getWorkflowContract = defineContract({
  operationId: 'getWorkflow',
  method: 'GET',
  path: '/workflows/{key}',
  summary: 'A workflow with its latest published and draft version numbers',
  tag,
  permission: 'workflow.read',
  params: ZKeyParams,
  response: ZWorkflowRecord,
  errors: ['NOT_FOUND'],
});

export const updateWorkflowContract = defineContract({
  operationId: 'updateWorkflow',
  method: 'PATCH',
  path: '/workflows/{key}',
  summary: 'Change name, description, tags or status (archive with status "archived")',
  tag,
  permission: 'workflow.write',
  params: ZKeyParams,
  body: ZWorkflowChanges,
  response: ZWorkflowRecord,
  errors: ['NOT_FOUND'],
});

export const deleteWorkflowContract = defineContract({
  operationId: 'deleteWorkflow',
  method: 'DELETE',
  path: '/workflows/{key}',
  summary: 'Delete a workflow and all its versions',
  tag,
  permission: 'workflow.write',
  params: ZKeyParams,
  successStatus: 204,
  errors: ['NOT_FOUND'],
});

export const listVersionsContract = defineContract({
  operationId: 'listVersions',
  method: 'GET',
  path: '/workflows/{key}/versions',
  summary: "A workflow's versions, newest first",
  tag,
  permission: 'workflow.read',
  params: ZKeyParams,
  query: z.object({ limit: ZLimit.optional(), cursor: z.string().max(100).optional() }),
  response: page(ZVersionSummary),
  errors: ['NOT_FOUND'],
});

export const saveDraftContract = defineContract({
  operationId: 'saveDraft',
  method: 'POST',
  path: '/workflows/{key}/versions',
  summary:
    'Create or replace the draft from a version document; pass expectedRevision (the ETag of GET …/versions/{n}) to ' +
    "refuse a stale save with 409. Without `name` or `description` the document takes the workflow's",
  tag,
  permission: 'workflow.write',
  params: ZKeyParams,
  query: z.object({ expectedRevision: z.coerce.number().int().min(1).optional() }),
  body: ZVersionDocumentBody,
  response: z.object({ version: z.number().int(), revision: z.number().int(), updatedAt: z.string() }),
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const getVersionContract = defineContract({
  operationId: 'getVersion',
  method: 'GET',
  path: '/workflows/{key}/versions/{n}',
  summary: 'The version document; the ETag header carries the revision',
  tag,
  permission: 'workflow.read',
  params: ZVersionParams,
  response: ZVersionDocument,
  errors: ['NOT_FOUND'],
});

export const publishVersionContract = defineContract({
  operationId: 'publishVersion',
  method: 'POST',
  path: '/workflows/{key}/versions/{n}/publish',
  summary: 'Publish a draft: 422 with {stepId, path, message} details when invalid, 409 when already published',
  tag,
  permission: 'workflow.write',
  params: ZVersionParams,
  response: ZPublished,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const diffVersionsContract = defineContract({
  operationId: 'diffVersions',
  method: 'GET',
  path: '/workflows/{key}/versions/{n}/diff',
  summary:
    'What changed from version `against` to version n: steps added, removed, moved, changed; workflow-level changes',
  tag,
  permission: 'workflow.read',
  params: ZVersionParams,
  query: z.object({ against: ZVersionNumber }),
  response: ZVersionDiff,
  errors: ['NOT_FOUND'],
});
