'use client';

import { useEffect, useState } from 'react';
import type { TSchema } from '@/components/designer/config/schema-kind';
import type { TActionTypeInfo } from '@/server/runtime/registry/list-action-types';

type TTool = { name: string; description?: string; inputSchema: TSchema };
type TTools = { tools: TTool[] } | { error: string };

// A server's tools change rarely while a designer is open: one request per connection per page load.
const pending = new Map<string, Promise<TTools>>();

function loadTools(connection: string): Promise<TTools> {
  let promise = pending.get(connection);
  if (!promise) {
    promise = fetch(`/api/v1/connections/${encodeURIComponent(connection)}/tools`, {
      headers: { accept: 'application/json' },
    }).then(async (response) => {
      const body = (await response.json()) as { items?: TTool[]; error?: { message?: string } };
      if (!response.ok || !body.items) return { error: body.error?.message ?? `answered ${response.status}` };
      return { tools: body.items };
    });
    promise.catch(() => pending.delete(connection));
    pending.set(connection, promise);
  }
  return promise;
}

const literal = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

/**
 * The input schema of an mcp.callTool step as its form should show it: once a connection is
 * chosen, `tool` is a choice of the server's tools and `arguments` the chosen tool's own input
 * schema, so the form is built from it (SPEC §11). Any other action's schema is returned as it is;
 * so is this one while the tools load, or when the server cannot be reached (`problem` says why).
 */
export function useMcpToolSchema(
  action: TActionTypeInfo | undefined,
  input: unknown,
): { schema: TSchema | undefined; problem: string | null } {
  const isMcp = action?.ref === 'mcp.callTool@1';
  const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const connection = isMcp ? literal(record.connection) : null;
  const [loaded, setLoaded] = useState<{ connection: string; tools: TTools } | null>(null);
  useEffect(() => {
    if (!connection) return;
    let live = true;
    loadTools(connection).then(
      (tools) => live && setLoaded({ connection, tools }),
      (error: unknown) => live && setLoaded({ connection, tools: { error: String(error) } }),
    );
    return () => {
      live = false;
    };
  }, [connection]);
  const base = action?.inputSchema;
  if (!isMcp || !base || !connection || loaded?.connection !== connection) return { schema: base, problem: null };
  if ('error' in loaded.tools) return { schema: base, problem: `Tools of “${connection}”: ${loaded.tools.error}` };
  const tools = loaded.tools.tools;
  const chosen = tools.find((tool) => tool.name === literal(record.tool));
  const properties = (base.properties ?? {}) as Record<string, TSchema>;
  return {
    schema: {
      ...base,
      properties: {
        ...properties,
        tool: {
          type: 'string',
          enum: tools.map((tool) => tool.name),
          description: chosen?.description ?? `${tools.length} tool${tools.length === 1 ? '' : 's'} on this server`,
        },
        arguments: chosen
          ? { ...chosen.inputSchema, description: `Arguments of ${chosen.name}` }
          : properties.arguments,
      },
    },
    problem: null,
  };
}
