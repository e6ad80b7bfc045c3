import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { AppError } from '@/model/errors';
import { readConnection } from '@/server/connections/read-connection';
import { listMcpTools } from '@/server/connections/mcp/mcp-client';
import { readEgressAllowList } from '@/server/runtime/actions/handlers/egress-from-env';
import { egressPoolFromEnv } from '@/server/security/egress-connection-pool';

export const ZMcpToolInfo = z.object({
  name: z.string(),
  description: z.string().optional(),
  inputSchema: z.record(z.unknown()),
});

/**
 * The tools of an mcp connection's server with their input schemas, for the designer's tool
 * picker and arguments form. Asked of the server each time, through the egress guard, within
 * 10 s; a server that cannot be reached is a 422 saying why (the form falls back to raw JSON).
 */
export async function listConnectionTools({
  db,
  ctx,
  name,
}: {
  db: Db;
  ctx: TAuthContext;
  name: string;
}): Promise<Array<z.infer<typeof ZMcpToolInfo>>> {
  const found = await readConnection({ db, tenantId: ctx.tenantId, name, type: 'mcp' });
  if ('error' in found)
    throw new AppError(found.error.code === 'CONNECTION_MISSING' ? 'NOT_FOUND' : 'VALIDATION', found.error.message);
  const egress = readEgressAllowList();
  if ('error' in egress) throw new AppError('CONFIG', egress.error.message);
  try {
    return await listMcpTools({
      connection: found.connection,
      allow: egress.allow,
      signal: AbortSignal.timeout(10_000),
      pool: egressPoolFromEnv(ctx.tenantId),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('VALIDATION', `The MCP server of "${name}" could not list its tools: ${message}`);
  }
}
