import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { buildWorker } from './build-worker';

/**
 * Packages the worker needs only for work most workers never do are imported when that work
 * comes, not at start-up: each was megabytes of every worker's resident memory
 * (ARCHITECTURE.md, "Worker memory"). A static import anywhere in the worker's code would load
 * it again at start; this reads the bundle's imports to catch that.
 */
const LOADED_ON_FIRST_USE = [
  // Only with OTEL_EXPORTER_OTLP_ENDPOINT set (server/tracing/export-run-traces.ts): ~22 MB.
  '@opentelemetry/sdk-node',
  '@opentelemetry/exporter-trace-otlp-http',
  // Only for an mcp.callTool step (server/connections/mcp/mcp-client.ts): ~12 MB.
  '@modelcontextprotocol/sdk',
];

it('the worker bundle imports the OpenTelemetry and MCP SDKs only where they are used, not at start-up', async () => {
  const outfile = path.resolve('.test-data/worker-bundle-imports/main.mjs');
  rmSync(path.dirname(outfile), { recursive: true, force: true });
  await buildWorker(process.cwd(), outfile);
  const code = readFileSync(outfile, 'utf8');
  const staticImports = [...code.matchAll(/^import\s[^;]*?from\s*"([^"]+)";?$/gm)].map((match) => match[1]!);
  const dynamicImports = [...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((match) => match[1]!);
  // The bundle's static imports were read at all (pg-boss is one), so an empty match is not a pass.
  expect(staticImports).toContain('pg-boss');
  for (const specifier of LOADED_ON_FIRST_USE) {
    // By package: the bundle may name a file inside it (`…/build/src/index.js`).
    expect(staticImports.filter((imported) => imported.startsWith(specifier))).toEqual([]);
    expect(
      dynamicImports.some((imported) => imported.startsWith(specifier)),
      specifier,
    ).toBe(true);
  }
});
