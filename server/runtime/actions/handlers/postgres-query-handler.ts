import 'server-only';
import {
  POSTGRES_DEFAULT_TIMEOUT_MS,
  POSTGRES_MAX_ROWS,
  ZPostgresQueryInput,
} from '@/server/runtime/actions/postgres-query';
import type { TActionHandler } from '@/server/runtime/actions/handlers/action-handler';
import { openStepConnection } from '@/server/runtime/actions/handlers/open-step-connection';
import { postgresPool } from '@/server/connections/postgres/postgres-pools';
import { postgresStepError, runPostgresQuery } from '@/server/connections/postgres/run-postgres-query';

/**
 * postgres.query@1 (SPEC §11): one parameterised statement on a postgres connection through
 * its small pool (egress-guarded sockets). Cancel or a step deadline destroys the session,
 * which ends the statement on the server too; the statement timeout bounds it regardless.
 */
export const postgresQueryHandler: TActionHandler = async ({ input: raw, signal, invocation }) => {
  const opened = await openStepConnection({
    raw,
    schema: ZPostgresQueryInput,
    action: 'postgres.query@1',
    type: 'postgres',
    invocation,
  });
  if ('error' in opened) return opened;
  const { input } = opened;
  const { connectionString } = opened.connection.config;
  const host = new URL(connectionString).host;
  const pool = postgresPool({
    key: `${invocation.tenantId}:${input.connection}:${opened.version}`,
    connectionString,
    allow: opened.allow,
  });
  let client;
  try {
    client = await pool.connect();
  } catch (error) {
    return { error: postgresStepError(error, host) };
  }
  let broken: Error | undefined;
  const abort = () => {
    broken = new Error('canceled');
    // Ends the session: the server stops the statement when its client goes away.
    client.release(broken);
  };
  signal.addEventListener('abort', abort, { once: true });
  try {
    const result = await runPostgresQuery({
      client,
      sql: input.sql,
      params: input.params ?? [],
      readOnly: input.readOnly ?? false,
      timeoutMs: input.timeoutMs ?? POSTGRES_DEFAULT_TIMEOUT_MS,
      maxRows: POSTGRES_MAX_ROWS,
      beforeSend: invocation.assertLeaseHeld,
    });
    if ('tooManyRows' in result)
      return {
        error: {
          code: 'VALIDATION',
          message: `The query returned more than ${POSTGRES_MAX_ROWS.toLocaleString('en')} rows (${result.tooManyRows.toLocaleString('en')}); add a LIMIT or page with a WHERE clause. Nothing was committed.`,
          details: { rows: result.tooManyRows, maxRows: POSTGRES_MAX_ROWS },
          retryable: false,
        },
      };
    return { output: result };
  } catch (error) {
    if (signal.aborted) return { error: { code: 'CANCELED', message: 'the query was canceled', retryable: false } };
    broken = error instanceof Error ? error : new Error(String(error));
    return { error: postgresStepError(error, host) };
  } finally {
    signal.removeEventListener('abort', abort);
    if (!signal.aborted) client.release(broken);
  }
};
