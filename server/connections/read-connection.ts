import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import {
  ZPutConnectionInput,
  type TConnectionConfig,
  type TConnectionType,
} from '@/model/connections/connection-config';
import { AppError, assertNever } from '@/model/errors';
import { openSecret } from '@/server/secrets/secret-cipher';
import { connectionSealName } from '@/server/connections/connection-record';
import type { TStepError } from '@/server/runtime/nodes/node-result';

/** A connection's full config with the secret values in it, narrowed to one type. */
export type TConnectionOf<T extends TConnectionType> = Extract<TConnectionConfig, { type: T }>;

/**
 * The clear config of a connection of `type`, for the runtime and "test connection" only.
 * Callers must never store, log or return the secret fields; a step names the values it
 * uses (secretValuesOf) to the run's mask first. An unknown name is CONNECTION_MISSING and a
 * connection of another type VALIDATION, neither retried.
 */
export async function readConnection<T extends TConnectionType>({
  db,
  tenantId,
  name,
  type,
}: {
  db: DbOrTx;
  tenantId: string;
  name: string;
  type: T;
}): Promise<{ connection: TConnectionOf<T>; version: string } | { error: TStepError }> {
  const row = await db
    .selectFrom('connections')
    .select(['type', 'ciphertext', 'iv', 'auth_tag', 'updated_at'])
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row)
    return {
      error: { code: 'CONNECTION_MISSING', message: `No connection named "${name}" in this tenant.`, retryable: false },
    };
  if (row.type !== type)
    return {
      error: {
        code: 'VALIDATION',
        message: `Connection "${name}" is a ${row.type} connection; this step needs a ${type} connection.`,
        retryable: false,
      },
    };
  const text = openSecret({
    tenantId,
    name: connectionSealName(name),
    sealed: { ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag },
  });
  const parsed = ZPutConnectionInput.safeParse({ name, ...(JSON.parse(text) as object) });
  if (!parsed.success || parsed.data.type !== type)
    throw new AppError('INTERNAL', `Connection "${name}" holds a config this version cannot read.`);
  const { name: _name, description: _description, ...connection } = parsed.data;
  // Changes whenever the connection is replaced: what caches of clients (pools) are keyed by.
  return { connection: connection as TConnectionOf<T>, version: row.updated_at.toISOString() };
}

/** The secret values inside a connection's config, for the run's mask (never for display). */
export function secretValuesOf(connection: TConnectionConfig): string[] {
  switch (connection.type) {
    case 'http': {
      const { auth } = connection.config;
      if (auth.type === 'bearer') return [auth.token];
      if (auth.type === 'basic') return [auth.password];
      if (auth.type === 'header' || auth.type === 'query') return [auth.value];
      return [];
    }
    case 'smtp':
      return connection.config.password ? [connection.config.password] : [];
    case 'postgres': {
      const url = new URL(connection.config.connectionString);
      const password = url.password ? decodeURIComponent(url.password) : url.searchParams.get('password');
      return password ? [password] : [];
    }
    case 'openai':
      return [connection.config.apiKey];
    case 'mcp':
      return Object.values(connection.config.headers ?? {});
    default:
      return assertNever(connection);
  }
}
