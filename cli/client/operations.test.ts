import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { buildOpenApi } from '@/server/api/build-openapi';
import { OPERATIONS as FROM_PACKAGE } from 'pipewright/client';
import { OPERATIONS, type TOperation } from './operations';

type TSchema = {
  type?: string | string[];
  nullable?: boolean;
  properties?: Record<string, TSchema>;
  required?: string[];
  items?: TSchema;
  anyOf?: TSchema[];
  oneOf?: TSchema[];
  allOf?: TSchema[];
  enum?: unknown[];
};
type TOpenApiOperation = {
  operationId: string;
  requestBody?: { content: { 'application/json': { schema: TSchema } } };
  responses: Record<string, { content?: { 'application/json'?: { schema: TSchema } } }>;
};

const doc = buildOpenApi() as { paths: Record<string, Record<string, TOpenApiOperation>> };
const jsonSchemaOf = (schema: z.ZodTypeAny) =>
  zodToJsonSchema(schema, { target: 'openApi3', $refStrategy: 'none' }) as TSchema;

function typesOf(schema: TSchema): Set<string> | null {
  if (schema.type === undefined) return null; // {} or a union: anything
  const types = new Set(Array.isArray(schema.type) ? schema.type : [schema.type]);
  if (schema.nullable) types.add('null');
  if (types.has('integer')) types.add('number');
  return types;
}

/**
 * Where a value the server sends (`sent`) could break a reader expecting `read`: a field read but
 * not sent, or sent optional where the reader requires it, or of another type. Empty: compatible.
 */
function mismatches(read: TSchema, sent: TSchema, at = '(root)'): string[] {
  const branches = sent.anyOf ?? sent.oneOf;
  if (branches) {
    const each = branches.map((branch) => mismatches(read, branch, at));
    return each.every((list) => list.length > 0) ? each.flat() : [];
  }
  const readTypes = typesOf(read);
  const sentTypes = typesOf(sent);
  if (readTypes && !sentTypes)
    return [`${at}: the server's schema is open, the client expects ${[...readTypes].join('|')}`];
  if (readTypes && sentTypes) {
    const unexpected = [...sentTypes].filter(
      (type) => !readTypes.has(type) && !(type === 'integer' && readTypes.has('number')),
    );
    if (unexpected.length > 0)
      return [`${at}: the server may send ${unexpected.join('|')}, the client reads ${[...readTypes].join('|')}`];
  }
  const out: string[] = [];
  for (const [name, field] of Object.entries(read.properties ?? {})) {
    const where = `${at}.${name}`;
    const theirs = sent.properties?.[name];
    if (!theirs) {
      out.push(`${where}: not in the server's schema`);
      continue;
    }
    if (read.required?.includes(name) && !sent.required?.includes(name))
      out.push(`${where}: required by the client, optional on the server`);
    out.push(...mismatches(field, theirs, where));
  }
  if (read.items && sent.items) out.push(...mismatches(read.items, sent.items, `${at}[]`));
  return out;
}

/** Where a body the client sends (`sent`) would not fit what the server takes (`taken`). */
function bodyMismatches(sent: TSchema, taken: TSchema): string[] {
  const out: string[] = [];
  for (const name of Object.keys(sent.properties ?? {}))
    if (!taken.properties?.[name]) out.push(`${name}: the server does not take it`);
  for (const name of taken.required ?? [])
    if (!sent.required?.includes(name) && sent.properties) out.push(`${name}: required by the server`);
  for (const [name, field] of Object.entries(sent.properties ?? {})) {
    const theirs = taken.properties?.[name];
    if (theirs) out.push(...mismatches(theirs, field, name).map((m) => `as sent: ${m}`));
  }
  return out;
}

function served(operation: TOperation): TOpenApiOperation | undefined {
  return doc.paths[operation.path]?.[operation.method.toLowerCase()];
}

describe('pipewright/client against the OpenAPI document', () => {
  it('is importable by its package name', () => {
    expect(FROM_PACKAGE).toBe(OPERATIONS);
  });

  it.each(Object.entries(OPERATIONS))(
    '%s is served at its method and path under the same operationId',
    (_name, operation) => {
      expect(served(operation)?.operationId, `${operation.method} ${operation.path}`).toBe(operation.operationId);
    },
  );

  it.each(Object.entries(OPERATIONS))(
    '%s reads only what the server sends, with the types it sends',
    (_name, operation: TOperation) => {
      const answer = served(operation)!;
      const success = Object.entries(answer.responses).find(([status]) => status.startsWith('2'))!;
      const schema = success[1].content?.['application/json']?.schema;
      if (!operation.response) return;
      expect(schema, 'the server documents no JSON answer').toBeDefined();
      expect(mismatches(jsonSchemaOf(operation.response), schema!)).toEqual([]);
    },
  );

  it.each(Object.entries(OPERATIONS))(
    '%s sends a body the server takes, and only when it takes one',
    (_name, operation: TOperation) => {
      const taken = served(operation)!.requestBody?.content['application/json'].schema;
      expect(Boolean(taken), 'a body on one side only').toBe(Boolean(operation.body));
      if (operation.body && taken) expect(bodyMismatches(jsonSchemaOf(operation.body), taken)).toEqual([]);
    },
  );

  it('notices a field the client reads that the server does not send, and a route that is gone', () => {
    const renamed = { ...OPERATIONS.getRun, response: z.object({ id: z.string(), finishedAt: z.string() }) };
    const schema = served(renamed)!.responses['200']!.content!['application/json']!.schema;
    expect(mismatches(jsonSchemaOf(renamed.response), schema)).toEqual([
      "(root).finishedAt: not in the server's schema",
    ]);
    const retyped = z.object({ version: z.string() });
    expect(mismatches(jsonSchemaOf(retyped), schema)[0]).toMatch(/version: the server may send integer/);
    expect(served({ ...OPERATIONS.getRun, path: '/runs/{id}/details' })).toBeUndefined();
    const extra = jsonSchemaOf(z.object({ input: z.unknown(), priority: z.number() }));
    expect(
      bodyMismatches(extra, served(OPERATIONS.startWorkflowRun)!.requestBody!.content['application/json'].schema),
    ).toEqual(['priority: the server does not take it']);
  });
});
