import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { putConnection } from '@/server/connections/put-connection';
import { testConnection } from '@/server/connections/test-connection';
import { listConnectionTools } from '@/server/connections/list-connection-tools';
import { mcpCallToolHandler } from '@/server/runtime/actions/handlers/mcp-call-tool-handler';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { closeEgressConnectionPools } from '@/server/security/egress-connection-pool';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

// A real MCP server built with the same SDK, stateless streamable HTTP on 127.0.0.1, that wants a token.
let t: TTestDatabase;
let ctx: TAuthContext;
let server: http.Server;
let origin: string;
let requests = 0;
let connections = 0;
const TOKEN = 'mcp-token-4d7e19b2';
const savedAllow = process.env.PIPEWRIGHT_EGRESS_ALLOW;

function buildMcpServer(): McpServer {
  const mcp = new McpServer({ name: 'test-tools', version: '1.0.0' });
  mcp.registerTool(
    'add',
    { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
    ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
  );
  mcp.registerTool('lookup', { description: 'Finds a customer', inputSchema: { id: z.string() } }, ({ id }) =>
    id === 'missing'
      ? { content: [{ type: 'text', text: `no customer ${id}` }], isError: true }
      : { content: [{ type: 'text', text: `customer ${id}: ACME` }] },
  );
  return mcp;
}

beforeAll(async () => {
  t = await createTestDatabase('mcp_call_tool');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  server = http.createServer((request, response) => {
    requests += 1;
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined;
      const mcp = buildMcpServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      response.on('close', () => {
        void transport.close();
        void mcp.close();
      });
      void mcp.connect(transport).then(() => transport.handleRequest(request, response, body));
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const headers = { authorization: `Bearer ${TOKEN}` };
  await putConnection({
    db: t.db,
    ctx,
    input: { name: 'tools', type: 'mcp', config: { url: `${origin}/mcp`, headers } },
  });
  await putConnection({
    db: t.db,
    ctx,
    input: {
      name: 'tools-wrong',
      type: 'mcp',
      config: { url: `${origin}/mcp`, headers: { authorization: 'Bearer nope-nope' } },
    },
  });
  await putConnection({
    db: t.db,
    ctx,
    input: { name: 'tools-closed', type: 'mcp', config: { url: 'http://127.0.0.1:1/mcp' } },
  });
});
afterEach(() => {
  if (savedAllow === undefined) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  else process.env.PIPEWRIGHT_EGRESS_ALLOW = savedAllow;
  delete process.env.PIPEWRIGHT_EGRESS_KEEPALIVE;
  closeEgressConnectionPools();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await closeExpressionPool();
  await t.close();
});

function callTool(input: Record<string, unknown>) {
  process.env.PIPEWRIGHT_EGRESS_ALLOW ??= '127.0.0.1';
  return mcpCallToolHandler({
    input: { connection: 'tools', ...input },
    signal: new AbortController().signal,
    idempotencyKey: 'k',
    invocation: {
      db: t.db,
      tenantId: ctx.tenantId,
      runId: '00000000-0000-0000-0000-000000000000',
      stepPath: 'steps[0]',
      maskSecrets: (value) => value,
      addSecret: () => undefined,
      assertLeaseHeld: () => undefined,
    },
  });
}

describe('mcp.callTool@1', () => {
  it('calls a tool and returns its content and structuredContent', async () => {
    expect(await callTool({ tool: 'add', arguments: { a: 2, b: 40 } })).toEqual({
      output: { content: [{ type: 'text', text: '42' }], structuredContent: { sum: 42 }, isError: false },
    });
  });

  it("sends a call's requests (initialize, notification, call) over one kept-alive connection; PIPEWRIGHT_EGRESS_KEEPALIVE=off opens one per request", async () => {
    closeEgressConnectionPools();
    const [requestsBefore, connectionsBefore] = [requests, connections];
    expect(await callTool({ tool: 'add', arguments: { a: 1, b: 2 } })).toHaveProperty(
      'output.structuredContent.sum',
      3,
    );
    expect(requests - requestsBefore).toBeGreaterThanOrEqual(3);
    expect(connections - connectionsBefore).toBe(1);
    process.env.PIPEWRIGHT_EGRESS_KEEPALIVE = 'off';
    const [requestsOff, connectionsOff] = [requests, connections];
    expect(await callTool({ tool: 'add', arguments: { a: 1, b: 2 } })).toHaveProperty(
      'output.structuredContent.sum',
      3,
    );
    expect(connections - connectionsOff).toBe(requests - requestsOff);
  });

  it("returns a tool's own failure as isError: true", async () => {
    expect(await callTool({ tool: 'lookup', arguments: { id: 'missing' } })).toEqual({
      output: { content: [{ type: 'text', text: 'no customer missing' }], isError: true },
    });
  });

  it('an unknown tool or bad arguments: a tool error the server reports, never a crash', async () => {
    const unknown = await callTool({ tool: 'nope', arguments: {} });
    const bad = await callTool({ tool: 'add', arguments: { a: 'two' } });
    for (const result of [unknown, bad]) {
      // Depending on the server, a protocol error (MCP, not retried) or a tool result with isError.
      if ('error' in result) expect(result.error).toMatchObject({ code: 'MCP', retryable: false });
      else expect(result.output).toMatchObject({ isError: true });
    }
  });

  it('wrong credentials: HTTP 401, not retried', async () => {
    expect(await callTool({ connection: 'tools-wrong', tool: 'add', arguments: { a: 1, b: 1 } })).toMatchObject({
      error: { code: 'HTTP', retryable: false, details: { status: 401 } },
    });
  });

  it('unreachable host: retryable; blocked host: EGRESS_BLOCKED before any request', async () => {
    expect(await callTool({ connection: 'tools-closed', tool: 'add', arguments: {} })).toMatchObject({
      error: { code: 'HTTP', retryable: true },
    });
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '10.0.0.0/8';
    const before = requests;
    expect(await callTool({ tool: 'add', arguments: { a: 1, b: 1 } })).toMatchObject({
      error: { code: 'EGRESS_BLOCKED' },
    });
    expect(requests).toBe(before);
  });

  it('lists the tools with their input schemas for the designer, and passes "test connection"', async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    const tools = await listConnectionTools({ db: t.db, ctx, name: 'tools' });
    expect(tools.map((tool) => tool.name)).toEqual(['add', 'lookup']);
    expect(tools[0]?.inputSchema).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number' } },
      required: ['a', 'b'],
    });
    expect(await testConnection({ db: t.db, ctx, name: 'tools' })).toMatchObject({
      ok: true,
      message: 'connected: 2 tools',
    });
    expect(await testConnection({ db: t.db, ctx, name: 'tools-wrong' })).toMatchObject({ ok: false });
    await expect(listConnectionTools({ db: t.db, ctx, name: 'tools-wrong' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('in a run: the result is the step output, and the token is in no stored record', async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    await publishWorkflow({
      db: t.db,
      ctx,
      key: 'mcp-run',
      document: {
        steps: [
          {
            id: 'sum',
            type: 'action.call',
            config: {
              action: 'mcp.callTool',
              version: 1,
              input: { connection: 'tools', tool: 'add', arguments: { a: 1, b: 2 } },
              saveAs: 'vars.sum',
            },
          },
          { id: 'out', type: 'control.return', config: { output: { $expr: 'vars.sum.structuredContent.sum' } } },
        ],
      } as never,
    });
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'mcp-run',
      input: {},
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const run = await t.db.selectFrom('runs').select('output').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(run.output).toBe(3);
    const steps = await t.db.selectFrom('run_steps').selectAll().where('run_id', '=', runId).execute();
    expect(JSON.stringify(steps)).not.toContain(TOKEN);
  });
});
