import 'server-only';
import { z } from 'zod';
import { defineAction } from '@/server/runtime/actions/action-descriptor';
import { ZConnectionName } from '@/model/connections/connection-config';

/** The most rows a query may return (SPEC §11); more fails the step and rolls the statement back. */
export const POSTGRES_MAX_ROWS = 10_000;
export const POSTGRES_DEFAULT_TIMEOUT_MS = 30_000;

export const ZPostgresQueryInput = z
  .object({
    connection: ZConnectionName.describe('A postgres connection.'),
    sql: z
      .string()
      .min(1)
      .max(100_000)
      .describe('One statement; values go in params as $1, $2… and are never spliced into the text.'),
    params: z.array(z.unknown()).max(1000).optional().describe('The values of $1, $2…, in order.'),
    readOnly: z
      .boolean()
      .optional()
      .describe('Run inside BEGIN READ ONLY: the database refuses any write. Safe to repeat after a crash.'),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(300_000)
      .optional()
      .describe(`statement_timeout for this query (default ${POSTGRES_DEFAULT_TIMEOUT_MS} ms).`),
  })
  .strict();

export const ZPostgresQueryOutput = z.object({
  /** Rows as JSON: int8 and numeric as strings (no precision lost), dates as ISO text, bytea as `{ base64 }`. */
  rows: z.array(z.record(z.unknown())),
  /** Rows returned, or affected by INSERT/UPDATE/DELETE. */
  rowCount: z.number().int(),
});

export const postgresQuery = defineAction({
  id: 'postgres.query',
  version: 1,
  title: 'PostgreSQL query',
  description:
    `Runs one parameterised SQL statement ($1, $2… from params) on a postgres connection, in a transaction of its own with a statement timeout; ` +
    `at most ${POSTGRES_MAX_ROWS.toLocaleString('en')} rows (more fails the step and rolls back). readOnly runs it under BEGIN READ ONLY. ` +
    'SQL errors are not retried; connection failures and timeouts are.',
  icon: 'database',
  category: 'data',
  inputSchema: ZPostgresQueryInput,
  outputSchema: ZPostgresQueryOutput,
  connectionType: 'postgres',
});
