import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZConnectionName, ZConnectionType, ZPutConnectionInput } from '@/model/connections/connection-config';
import { ZConnectionRecord } from '@/server/connections/connection-record';
import { ZConnectionTestResult } from '@/server/connections/test-connection';
import { ZMcpToolInfo } from '@/server/connections/list-connection-tools';

export const listConnectionsContract = defineContract({
  operationId: 'listConnections',
  method: 'GET',
  path: '/connections',
  summary: "The tenant's connections: everything but secret fields, with the workflows using each",
  tag: 'Connections',
  permission: 'secret.read',
  query: z.object({ type: ZConnectionType.optional() }),
  response: z.object({ items: z.array(ZConnectionRecord), nextCursor: z.string().nullable() }),
  errors: ['VALIDATION'],
});

export const putConnectionContract = defineContract({
  operationId: 'putConnection',
  method: 'POST',
  path: '/connections',
  summary: 'Create or replace a connection; secret fields are write-only',
  tag: 'Connections',
  permission: 'secret.manage',
  body: ZPutConnectionInput,
  response: ZConnectionRecord,
  successStatus: 201,
  errors: ['VALIDATION'],
});

export const deleteConnectionContract = defineContract({
  operationId: 'deleteConnection',
  method: 'DELETE',
  path: '/connections/{name}',
  summary: 'Delete a connection',
  tag: 'Connections',
  permission: 'secret.manage',
  params: z.object({ name: ZConnectionName }),
  successStatus: 204,
  errors: ['NOT_FOUND'],
});

export const testConnectionContract = defineContract({
  operationId: 'testConnection',
  method: 'POST',
  path: '/connections/{name}/test',
  summary: 'Reach the connection with its credentials (through the egress guard) and say how it went',
  tag: 'Connections',
  permission: 'secret.manage',
  params: z.object({ name: ZConnectionName }),
  response: ZConnectionTestResult,
  errors: ['NOT_FOUND'],
});

export const listConnectionToolsContract = defineContract({
  operationId: 'listConnectionTools',
  method: 'GET',
  path: '/connections/{name}/tools',
  summary: "The tools of an mcp connection's server, with their input schemas (for the designer)",
  tag: 'Connections',
  permission: 'workflow.write',
  params: z.object({ name: ZConnectionName }),
  response: z.object({ items: z.array(ZMcpToolInfo) }),
  errors: ['NOT_FOUND', 'VALIDATION'],
});
