import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZPutSecret } from '@/server/secrets/put-secret';
import { ZSecretName, ZSecretRecord } from '@/server/secrets/secret-record';

export const listSecretsContract = defineContract({
  operationId: 'listSecrets',
  method: 'GET',
  path: '/secrets',
  summary: "The tenant's secrets: names and metadata, never values",
  tag: 'Secrets',
  permission: 'secret.read',
  response: z.object({ items: z.array(ZSecretRecord), nextCursor: z.string().nullable() }),
});

export const putSecretContract = defineContract({
  operationId: 'putSecret',
  method: 'POST',
  path: '/secrets',
  summary: 'Create or replace a secret; the value is write-only',
  tag: 'Secrets',
  permission: 'secret.manage',
  body: ZPutSecret,
  response: ZSecretRecord,
  successStatus: 201,
  errors: ['VALIDATION'],
});

export const deleteSecretContract = defineContract({
  operationId: 'deleteSecret',
  method: 'DELETE',
  path: '/secrets/{name}',
  summary: 'Delete a secret',
  tag: 'Secrets',
  permission: 'secret.manage',
  params: z.object({ name: ZSecretName }),
  successStatus: 204,
  errors: ['NOT_FOUND'],
});
