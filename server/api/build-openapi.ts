import 'server-only';
import { zodToJsonSchema } from 'zod-to-json-schema';
import type { z } from 'zod';
import type { TContract } from '@/server/api/contract';
import { ALL_CONTRACTS } from '@/server/api/contracts';
import { HTTP_STATUS_BY_CODE, type AppErrorCode } from '@/model/errors';

function schemaOf(schema: z.ZodTypeAny): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = zodToJsonSchema(schema, {
    target: 'openApi3',
    $refStrategy: 'none',
  }) as Record<string, unknown>;
  return rest;
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

function parametersOf(contract: TContract): unknown[] {
  const out: unknown[] = [];
  for (const [location, schema] of [
    ['path', contract.params],
    ['query', contract.query],
  ] as const) {
    if (!schema) continue;
    for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodTypeAny>)) {
      out.push({ name, in: location, required: location === 'path' || !field.isOptional(), schema: schemaOf(field) });
    }
  }
  return out;
}

function operationOf(contract: TContract): Record<string, unknown> {
  const success = contract.successStatus ?? 200;
  const errorCodes = new Set<AppErrorCode>(['BAD_REQUEST', 'INTERNAL', ...(contract.errors ?? [])]);
  if (contract.permission !== null) for (const code of ['UNAUTHENTICATED', 'FORBIDDEN'] as const) errorCodes.add(code);
  if (contract.body || contract.query || contract.params) errorCodes.add('VALIDATION');
  if (contract.body) errorCodes.add('UNSUPPORTED_MEDIA_TYPE');
  const responses: Record<string, unknown> = {
    [success]:
      success === 204 || !contract.response
        ? { description: 'Done' }
        : { description: 'OK', content: { 'application/json': { schema: schemaOf(contract.response) } } },
  };
  for (const code of errorCodes) {
    responses[HTTP_STATUS_BY_CODE[code]] ??= {
      description: code,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    operationId: contract.operationId,
    summary: contract.summary,
    tags: [contract.tag],
    ...(contract.permission === null ? { security: [] } : { 'x-permission': contract.permission }),
    parameters: parametersOf(contract),
    ...(contract.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(contract.body) } } } }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of /api/v1, built from the same contracts as the routes. */
export function buildOpenApi(contracts: TContract[] = ALL_CONTRACTS): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const contract of contracts) {
    (paths[contract.path] ??= {})[contract.method.toLowerCase()] = operationOf(contract);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pipewright API',
      version: '1',
      description:
        'Bearer tokens (pw_…) are created in Settings → API tokens, or with POST /tokens; a token acts in its own ' +
        'tenant. With the session cookie, a request names its tenant with the header `Pipewright-Tenant: <slug>`.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token: pw_…' } },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}
