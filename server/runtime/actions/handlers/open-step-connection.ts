import 'server-only';
import type { z } from 'zod';
import type { TConnectionType } from '@/model/connections/connection-config';
import { readConnection, secretValuesOf, type TConnectionOf } from '@/server/connections/read-connection';
import type { TActionHandler } from '@/server/runtime/actions/handlers/action-handler';
import { readEgressAllowList } from '@/server/runtime/actions/handlers/egress-from-env';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import type { TEgressAllowList } from '@/server/security/egress-allowlist';

/**
 * What every step that calls out through a connection does first: check its input (VALIDATION
 * naming the action), read the egress allow-list, open the named connection of `type`, and
 * give its secret values to the run's mask before anything is sent.
 */
export async function openStepConnection<S extends z.ZodType<{ connection: string }>, T extends TConnectionType>({
  raw,
  schema,
  action,
  type,
  invocation,
}: {
  raw: unknown;
  schema: S;
  /** e.g. `postgres.query@1`, for the validation message. */
  action: string;
  type: T;
  invocation: Parameters<TActionHandler>[0]['invocation'];
}): Promise<
  { input: z.infer<S>; connection: TConnectionOf<T>; version: string; allow: TEgressAllowList } | { error: TStepError }
> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    return {
      error: {
        code: 'VALIDATION',
        message: `Invalid input for ${action}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        retryable: false,
      },
    };
  const input = parsed.data as z.infer<S>;
  const egress = readEgressAllowList();
  if ('error' in egress) return egress;
  const found = await readConnection({
    db: invocation.db,
    tenantId: invocation.tenantId,
    name: input.connection,
    type,
  });
  if ('error' in found) return found;
  for (const value of secretValuesOf(found.connection)) invocation.addSecret(value);
  return { input, connection: found.connection, version: found.version, allow: egress.allow };
}
