import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '@/server/api/build-openapi';
import { ALL_CONTRACTS } from '@/server/api/contracts';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const API_ROOT = path.resolve('app/api/v1');

type TOperation = {
  operationId: string;
  parameters: { name: string; in: string }[];
  responses: Record<string, unknown>;
  security?: unknown[];
};
type TDocument = { openapi: string; paths: Record<string, Record<string, TOperation>> };
const doc = buildOpenApi() as unknown as TDocument;

/** Every route.ts under app/api/v1, as its OpenAPI path: `secrets/[name]/route.ts` → `/secrets/{name}`. */
function routeFiles(dir = API_ROOT): { file: string; apiPath: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    if (entry.name !== 'route.ts') return [];
    const segments = path.relative(API_ROOT, dir).split(path.sep).filter(Boolean);
    const apiPath = `/${segments.map((s) => s.replace(/^\[(?:\.\.\.)?(.+)\]$/, '{$1}')).join('/')}`;
    return [{ file: full, apiPath }];
  });
}

async function servedOperations(): Promise<string[]> {
  const out: string[] = [];
  for (const { file, apiPath } of routeFiles()) {
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const method of HTTP_METHODS) if (typeof module[method] === 'function') out.push(`${method} ${apiPath}`);
  }
  return out.sort();
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1.0 with Bearer security', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(buildOpenApi()).toMatchObject({
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    });
  });

  it('has an operation for every contract, with unique operation ids', () => {
    for (const contract of ALL_CONTRACTS) {
      expect(
        doc.paths[contract.path]?.[contract.method.toLowerCase()]?.operationId,
        `${contract.method} ${contract.path}`,
      ).toBe(contract.operationId);
    }
    const ids = ALL_CONTRACTS.map((c) => c.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every {param} of a path as a path parameter', () => {
    for (const [apiPath, operations] of Object.entries(doc.paths)) {
      const names = [...apiPath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, operation] of Object.entries(operations)) {
        expect(
          operation.parameters
            .filter((p) => p.in === 'path')
            .map((p) => p.name)
            .sort(),
          `${method} ${apiPath}`,
        ).toEqual(names.sort());
      }
    }
  });

  it('documents 401 and 403 on authenticated operations and none on public ones', () => {
    for (const contract of ALL_CONTRACTS) {
      const operation = doc.paths[contract.path]![contract.method.toLowerCase()]!;
      const codes = Object.keys(operation.responses);
      if (contract.permission === null) {
        expect(operation.security).toEqual([]);
        // A public route that authenticates itself (a webhook's signature) declares its 401.
        if (!contract.errors?.includes('UNAUTHENTICATED')) expect(codes).not.toContain('401');
      } else {
        expect(codes).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });
});

describe('routes and the document cannot drift apart', () => {
  it('finds the route files it walks', () => {
    expect(routeFiles().map((r) => r.apiPath)).toEqual(
      expect.arrayContaining(['/health', '/openapi.json', '/secrets', '/secrets/{name}']),
    );
  });

  it('every exported HTTP method of app/api/v1/**/route.ts has an operation at that path', async () => {
    const documented = Object.entries(doc.paths).flatMap(([apiPath, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${apiPath}`),
    );
    const undocumented = (await servedOperations()).filter((op) => !documented.includes(op));
    expect(undocumented, 'routes without a contract in ALL_CONTRACTS').toEqual([]);
  });

  it('every documented operation is served by a route file', async () => {
    const served = await servedOperations();
    const documented = ALL_CONTRACTS.map((c) => `${c.method} ${c.path}`);
    expect(
      documented.filter((op) => !served.includes(op)),
      'contracts without a route',
    ).toEqual([]);
  });
});
