import 'server-only';
import { ZMcpCallToolInput } from '@/server/runtime/actions/mcp-call-tool';
import type { TActionHandler } from '@/server/runtime/actions/handlers/action-handler';
import { openStepConnection } from '@/server/runtime/actions/handlers/open-step-connection';
import { fetchStepError } from '@/server/runtime/actions/handlers/http-step-error';
import { connectMcp, mcpHttpStatus, MCP_TIMEOUT_MS } from '@/server/connections/mcp/mcp-client';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import { GuardedFetchError } from '@/server/security/guarded-fetch-error';
import { egressPoolFromEnv } from '@/server/security/egress-connection-pool';

/** The step error for what connecting or calling threw: the guard's errors as they are, HTTP statuses and protocol errors by kind. */
function mcpStepError(error: unknown, host: string, signal: AbortSignal): TStepError {
  if (signal.aborted) return { code: 'CANCELED', message: 'the tool call was canceled', retryable: false };
  const cause = error instanceof Error && error.cause instanceof GuardedFetchError ? error.cause : error;
  if (cause instanceof GuardedFetchError) return fetchStepError(cause);
  const message = error instanceof Error ? error.message : String(error);
  // The SDK's transport reports a refused HTTP request with the status as its code.
  const status = mcpHttpStatus(error) ?? Number(/HTTP (\d{3})/.exec(message)?.[1]);
  if (status && status >= 400 && status <= 599)
    return {
      code: 'HTTP',
      message: `${host} answered ${status}`,
      details: { status },
      retryable: status === 429 || status >= 500,
    };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number')
    // A JSON-RPC error: unknown tool, invalid params… the same call would fail again.
    return { code: 'MCP', message, details: { rpcCode: code }, retryable: code === -32001 };
  return { code: 'MCP', message: `${host}: ${message}`, retryable: true };
}

/**
 * mcp.callTool@1 (SPEC §11): connect to the connection's server (streamable HTTP, the official
 * SDK, every request through guardedFetch), call one tool, close. Not pure: the step's
 * record is durable first and the ledger answers a repeat; MCP has no idempotency key of its
 * own, so a tool with effects may run again after a crash between its answer and our commit.
 */
export const mcpCallToolHandler: TActionHandler = async ({ input: raw, signal, invocation }) => {
  const opened = await openStepConnection({
    raw,
    schema: ZMcpCallToolInput,
    action: 'mcp.callTool@1',
    type: 'mcp',
    invocation,
  });
  if ('error' in opened) return opened;
  const { input } = opened;
  const host = new URL(opened.connection.config.url).host;
  let client;
  try {
    client = await connectMcp({
      connection: opened.connection,
      allow: opened.allow,
      signal,
      beforeSend: invocation.assertLeaseHeld,
      pool: egressPoolFromEnv(invocation.tenantId),
    });
  } catch (error) {
    return { error: mcpStepError(error, host, signal) };
  }
  try {
    const result = await client.callTool({ name: input.tool, arguments: input.arguments }, undefined, {
      signal,
      timeout: MCP_TIMEOUT_MS,
    });
    const content = Array.isArray(result.content) ? (result.content as Array<Record<string, unknown>>) : [];
    const structured = result.structuredContent as Record<string, unknown> | undefined;
    return {
      output: {
        content,
        ...(structured ? { structuredContent: structured } : {}),
        isError: result.isError === true,
      },
    };
  } catch (error) {
    return { error: mcpStepError(error, host, signal) };
  } finally {
    await client.close();
  }
};
