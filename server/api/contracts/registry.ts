import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZActionTypeInfo } from '@/server/runtime/registry/list-action-types';
import { ZNodeTypeInfo } from '@/server/runtime/registry/list-node-types';

// Not paged (the registry is a short, fixed list), but shaped like every other list of §6.
export const listNodeTypesContract = defineContract({
  operationId: 'listNodeTypes',
  method: 'GET',
  path: '/registry/nodes',
  summary: 'Every node type with its config and output JSON Schemas (what the designer builds its forms from)',
  tag: 'Registry',
  permission: 'workflow.read',
  response: z.object({ items: z.array(ZNodeTypeInfo), nextCursor: z.null() }),
});

export const listActionTypesContract = defineContract({
  operationId: 'listActionTypes',
  method: 'GET',
  path: '/registry/actions',
  summary: 'Every built-in action version with its input and output JSON Schemas',
  tag: 'Registry',
  permission: 'workflow.read',
  response: z.object({ items: z.array(ZActionTypeInfo), nextCursor: z.null() }),
});
