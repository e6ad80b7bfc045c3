import 'server-only';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { TMcpConnectionConfig } from '@/model/connections/connection-config';
import type { TEgressAllowList } from '@/server/security/egress-allowlist';
import type { TEgressConnectionPool } from '@/server/security/egress-connection-pool';
import { guardedFetch } from '@/server/security/guarded-fetch';

export const MCP_TIMEOUT_MS = 60_000;

type TMcpSdk = {
  Client: typeof import('@modelcontextprotocol/sdk/client/index.js').Client;
  transport: typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js');
};
let sdk: TMcpSdk | null = null;

/**
 * The SDK is loaded at the first MCP call, not with the module: it (with its own zod and
 * JSON-schema validators) is ~12 MB of a worker's resident memory, and most workers never run
 * an mcp.callTool step (ARCHITECTURE.md, "Worker memory").
 */
async function loadMcpSdk(): Promise<TMcpSdk> {
  if (!sdk) {
    const [client, transport] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    ]);
    sdk = { Client: client.Client, transport };
  }
  return sdk;
}

/** The HTTP status the SDK's transport refused a request with, when `error` is its StreamableHTTPError. */
export function mcpHttpStatus(error: unknown): number | undefined {
  // Such an error can only come from a call made after the SDK was loaded.
  return sdk && error instanceof sdk.transport.StreamableHTTPError ? error.code : undefined;
}

/**
 * A fetch for the SDK's streamable HTTP transport, over guardedFetch: the egress guard on
 * every request and redirect, the step's signal, secret headers kept from other origins. The
 * answer is read whole (a POST's event stream ends with its response), so the one request that
 * would stay open, the GET for server-initiated messages, is answered 405 here as a server
 * without that stream would: a tool call needs none, and the SDK carries on without it.
 */
export function guardedMcpFetch({
  allow,
  signal,
  headers,
  beforeSend,
  pool,
}: {
  allow: TEgressAllowList;
  signal: AbortSignal;
  headers: Record<string, string>;
  beforeSend?: () => void;
  /** Keep-alive connections: a session's initialize, notification, call and close share one. */
  pool?: TEgressConnectionPool;
}): (url: string | URL, init?: RequestInit) => Promise<Response> {
  const secretValues = Object.values(headers);
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    if (method === 'GET') return new Response(null, { status: 405 });
    const sent = Object.fromEntries(new Headers(init.headers).entries());
    const response = await guardedFetch({
      url: String(url),
      method,
      headers: sent,
      body: typeof init.body === 'string' ? init.body : undefined,
      signal: init.signal ? AbortSignal.any([signal, init.signal]) : signal,
      timeoutMs: MCP_TIMEOUT_MS,
      allow,
      beforeSend,
      holdsSecret: (value) => secretValues.some((secret) => value.includes(secret)),
      pool,
    });
    const body = response.status === 204 || response.status === 304 ? null : new Uint8Array(response.body);
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

/** Connects an MCP client to the connection's server over streamable HTTP through the guard; the caller closes it. */
export async function connectMcp({
  connection,
  allow,
  signal,
  beforeSend,
  pool,
}: {
  connection: { config: TMcpConnectionConfig };
  allow: TEgressAllowList;
  signal: AbortSignal;
  beforeSend?: () => void;
  pool?: TEgressConnectionPool;
}): Promise<Client> {
  const { Client, transport: streamable } = await loadMcpSdk();
  const headers = connection.config.headers ?? {};
  const transport = new streamable.StreamableHTTPClientTransport(new URL(connection.config.url), {
    requestInit: { headers },
    fetch: guardedMcpFetch({ allow, signal, headers, beforeSend, pool }),
  });
  const client = new Client({ name: 'pipewright', version: '1' });
  await client.connect(transport, { signal, timeout: MCP_TIMEOUT_MS });
  return client;
}

export type TMcpTool = { name: string; description?: string; inputSchema: Record<string, unknown> };

/** The server's tools with their input schemas (every page of `tools/list`). */
export async function listMcpTools({
  connection,
  allow,
  signal,
  pool,
}: {
  connection: { config: TMcpConnectionConfig };
  allow: TEgressAllowList;
  signal: AbortSignal;
  pool?: TEgressConnectionPool;
}): Promise<TMcpTool[]> {
  const client = await connectMcp({ connection, allow, signal, pool });
  try {
    const tools: TMcpTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const result = await client.listTools(cursor ? { cursor } : {}, { signal, timeout: MCP_TIMEOUT_MS });
      for (const tool of result.tools)
        tools.push({
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          inputSchema: tool.inputSchema as Record<string, unknown>,
        });
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return tools;
  } finally {
    await client.close();
  }
}
