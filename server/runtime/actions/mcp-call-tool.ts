import 'server-only';
import { z } from 'zod';
import { defineAction } from '@/server/runtime/actions/action-descriptor';
import { ZConnectionName } from '@/model/connections/connection-config';

export const ZMcpCallToolInput = z
  .object({
    connection: ZConnectionName.describe('An mcp connection (a server over streamable HTTP).'),
    tool: z.string().min(1).max(200).describe("One of the server's tools."),
    arguments: z.record(z.unknown()).default({}).describe("The tool's arguments, as its input schema describes them."),
  })
  .strict();

export const ZMcpCallToolOutput = z.object({
  /** The tool's content blocks (text, image, resource…) as the server sent them. */
  content: z.array(z.record(z.unknown())),
  structuredContent: z.record(z.unknown()).optional(),
  /** The tool reported a failure of its own (a tool result, not a protocol error). */
  isError: z.boolean(),
});

export const mcpCallTool = defineAction({
  id: 'mcp.callTool',
  version: 1,
  title: 'MCP tool call',
  description:
    'Calls a tool of an MCP server over streamable HTTP and returns its content, structuredContent and isError (a failure the tool reports is an output: branch on isError). ' +
    'An unknown tool or refused arguments fail the step (MCP); network errors and 429/5xx are retryable.',
  icon: 'plug',
  category: 'ai',
  inputSchema: ZMcpCallToolInput,
  outputSchema: ZMcpCallToolOutput,
  connectionType: 'mcp',
});
