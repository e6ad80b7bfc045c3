import 'server-only';
import pg from 'pg';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import { GuardedFetchError } from '@/server/security/guarded-fetch-error';

export type TPostgresQueryResult = { rows: Array<Record<string, unknown>>; rowCount: number };

/** SQLSTATE classes where trying again can help: connection, resources, operator intervention, serialization. */
const RETRYABLE_SQLSTATE = /^(08|53|57P0[1-3]|40001|40P01)/;
const AUTH_SQLSTATE = /^(28|3D000)/;

/** A row value as JSON holds it: bytea as `{ base64 }`, dates as ISO text, everything else as pg gives it. */
function toJsonRows(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return JSON.parse(
    JSON.stringify(rows, function replace(this: Record<string, unknown>, key: string, value: unknown) {
      const raw = this[key];
      return Buffer.isBuffer(raw) ? { base64: raw.toString('base64') } : value;
    }),
  ) as Array<Record<string, unknown>>;
}

/** The step error for whatever a connect or query threw; SQL errors name their SQLSTATE and position. */
export function postgresStepError(error: unknown, host: string): TStepError {
  if (error instanceof GuardedFetchError)
    return { code: error.code, message: error.message, retryable: error.retryable, details: error.details };
  const failure = error as Error & { code?: string; position?: string; detail?: string };
  const code = failure.code ?? '';
  if (code === '57014')
    return { code: 'TIMEOUT', message: `the query ran past its statement_timeout`, retryable: true };
  if (AUTH_SQLSTATE.test(code))
    return {
      code: 'CONNECTION',
      message: `${host} refused the connection: ${failure.message}`,
      details: { sqlstate: code },
      retryable: false,
    };
  if (/^[0-9A-Z]{5}$/.test(code))
    return {
      code: RETRYABLE_SQLSTATE.test(code) ? 'CONNECTION' : 'QUERY',
      message: failure.message,
      details: { sqlstate: code, ...(failure.position ? { position: Number(failure.position) } : {}) },
      retryable: RETRYABLE_SQLSTATE.test(code),
    };
  // Network errors (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, "Connection terminated"): another attempt may reach it.
  return {
    code: 'CONNECTION',
    message: `could not reach ${host}: ${failure.message}`,
    ...(code ? { details: { cause: code } } : {}),
    retryable: true,
  };
}

/**
 * Runs one statement in a transaction of its own (`BEGIN READ ONLY` when asked), under
 * `SET LOCAL statement_timeout`, through the extended protocol (one statement only, so
 * `COMMIT; DROP …` cannot slip out of the transaction) and with rows counted as they arrive:
 * past `maxRows` they are no longer kept, and the transaction is rolled back.
 */
export async function runPostgresQuery({
  client,
  sql,
  params,
  readOnly,
  timeoutMs,
  maxRows,
  beforeSend,
}: {
  client: pg.PoolClient;
  sql: string;
  params: unknown[];
  readOnly: boolean;
  timeoutMs: number;
  maxRows: number;
  beforeSend?: () => void;
}): Promise<TPostgresQueryResult | { tooManyRows: number }> {
  beforeSend?.();
  await client.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
  try {
    await client.query(`SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`);
    const rows: Array<Record<string, unknown>> = [];
    let seen = 0;
    // queryMode is honoured by pg (lib/query.js) but missing from @types/pg's QueryConfig.
    const config: pg.QueryConfig & { queryMode: 'extended' } = { text: sql, values: params, queryMode: 'extended' };
    const query = new pg.Query(config);
    query.on('row', (row: Record<string, unknown>) => {
      seen += 1;
      if (seen <= maxRows) rows.push(row);
    });
    const result = await new Promise<pg.QueryResult>((resolve, reject) => {
      query.on('end', resolve);
      query.on('error', reject);
      client.query(query);
    });
    if (seen > maxRows) {
      await client.query('ROLLBACK');
      return { tooManyRows: seen };
    }
    await client.query('COMMIT');
    return { rows: toJsonRows(rows), rowCount: result.rowCount ?? rows.length };
  } catch (error) {
    // The statement failed inside the transaction: end it so the pooled session is clean.
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      throw new AggregateError([error, rollbackError], 'the query failed and so did its ROLLBACK');
    });
    throw error;
  }
}
