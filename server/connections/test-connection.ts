import 'server-only';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { AppError } from '@/model/errors';
import type { TConnectionType } from '@/model/connections/connection-config';
import { readConnection, secretValuesOf, type TConnectionOf } from '@/server/connections/read-connection';
import { httpConnectionAuth, httpConnectionUrl } from '@/server/connections/http-connection-target';
import { postgresPool } from '@/server/connections/postgres/postgres-pools';
import { openAiUrl } from '@/server/connections/openai-url';
import { readEgressAllowList } from '@/server/runtime/actions/handlers/egress-from-env';
import type { TEgressAllowList } from '@/server/security/egress-allowlist';
import { resolveWithSystemDns } from '@/server/security/egress-guard';
import { guardedFetch } from '@/server/security/guarded-fetch';
import { guardedSocket } from '@/server/email/send-smtp-message';
import { listMcpTools } from '@/server/connections/mcp/mcp-client';

export const ZConnectionTestResult = z.object({
  ok: z.boolean(),
  /** What was tried and what came back, for a person (never a secret). */
  message: z.string(),
  /** The step error code the same failure would give (EGRESS_BLOCKED, HTTP, TIMEOUT…), when not ok. */
  code: z.string().optional(),
  durationMs: z.number(),
});
export type TConnectionTestResult = z.infer<typeof ZConnectionTestResult>;

const TEST_TIMEOUT_MS = 10_000;

type TProbe = { ok: boolean; message: string; code?: string };

async function probeHttp(connection: TConnectionOf<'http'>, allow: TEgressAllowList): Promise<TProbe> {
  const target = httpConnectionUrl(connection.config.baseUrl, '');
  if ('error' in target) return { ok: false, message: target.error.message, code: target.error.code };
  const auth = httpConnectionAuth(connection.config);
  const url = new URL(target.url);
  for (const [key, value] of Object.entries(auth.query)) url.searchParams.set(key, value);
  const response = await guardedFetch({ url: url.href, headers: auth.headers, allow, timeoutMs: TEST_TIMEOUT_MS });
  const credentialsRefused = response.status === 401 || response.status === 403;
  return {
    ok: response.status < 400,
    message: credentialsRefused
      ? `GET ${url.host} answered ${response.status}: the credentials were refused`
      : `GET ${url.host} answered ${response.status}`,
    ...(response.status < 400 ? {} : { code: 'HTTP' }),
  };
}

async function probeSmtp(connection: TConnectionOf<'smtp'>, allow: TEgressAllowList): Promise<TProbe> {
  const { host, port, secure, username, password } = connection.config;
  const transport = nodemailer.createTransport({
    host,
    port,
    secure,
    ...(username ? { auth: { user: username, pass: password ?? '' } } : {}),
    connectionTimeout: TEST_TIMEOUT_MS,
    getSocket: guardedSocket(allow, resolveWithSystemDns, AbortSignal.timeout(TEST_TIMEOUT_MS), undefined),
  });
  try {
    await transport.verify();
    return { ok: true, message: `${host}:${port} accepted the connection${username ? ' and the credentials' : ''}` };
  } finally {
    transport.close();
  }
}

async function probePostgres(
  connection: TConnectionOf<'postgres'>,
  allow: TEgressAllowList,
  key: string,
): Promise<TProbe> {
  const pool = postgresPool({ key, connectionString: connection.config.connectionString, allow });
  const client = await pool.connect();
  try {
    const result = await client.query<{ version: string }>('SELECT current_setting($1) AS version', ['server_version']);
    return { ok: true, message: `connected: PostgreSQL ${result.rows[0]?.version ?? '?'}` };
  } finally {
    client.release();
  }
}

async function probeOpenAi(connection: TConnectionOf<'openai'>, allow: TEgressAllowList): Promise<TProbe> {
  const url = openAiUrl(connection.config.baseUrl, 'models');
  const response = await guardedFetch({
    url,
    headers: { authorization: `Bearer ${connection.config.apiKey}` },
    allow,
    timeoutMs: TEST_TIMEOUT_MS,
  });
  if (response.status === 401 || response.status === 403)
    return {
      ok: false,
      code: 'HTTP',
      message: `GET ${new URL(url).host} answered ${response.status}: the API key was refused`,
    };
  return {
    ok: response.status < 400,
    message: `GET ${new URL(url).pathname} answered ${response.status}`,
    ...(response.status < 400 ? {} : { code: 'HTTP' }),
  };
}

/** An MCP server: connect with the official SDK over streamable HTTP and list its tools. */
async function probeMcp(connection: TConnectionOf<'mcp'>, allow: TEgressAllowList): Promise<TProbe> {
  const tools = await listMcpTools({ connection, allow, signal: AbortSignal.timeout(TEST_TIMEOUT_MS) });
  return { ok: true, message: `connected: ${tools.length} tool${tools.length === 1 ? '' : 's'}` };
}

/** Whatever a probe threw, as a person reads it, with the connection's secrets taken out. */
function failure(error: unknown, secrets: string[]): TProbe {
  const code =
    error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'CONNECTION_FAILED';
  let message = error instanceof Error ? error.message : String(error);
  for (const secret of secrets) message = message.split(secret).join('••••••');
  return { ok: false, code, message };
}

async function probe(
  type: TConnectionType,
  found: { connection: TConnectionOf<TConnectionType>; version: string },
  allow: TEgressAllowList,
  key: string,
): Promise<TProbe> {
  const { connection } = found;
  switch (connection.type) {
    case 'http':
      return probeHttp(connection, allow);
    case 'smtp':
      return probeSmtp(connection, allow);
    case 'postgres':
      return probePostgres(connection, allow, key);
    case 'openai':
      return probeOpenAi(connection, allow);
    case 'mcp':
      return probeMcp(connection, allow);
    default:
      throw new AppError('INTERNAL', `No test for ${type} connections.`);
  }
}

/**
 * "Test connection": reaches the connection's service with its credentials, through the egress
 * guard like any step would, within 10 s, and says how it went. A failure is an answer
 * (`ok: false` with the step error code it would give), not an error of this call.
 */
export async function testConnection({
  db,
  ctx,
  name,
}: {
  db: Db;
  ctx: TAuthContext;
  name: string;
}): Promise<TConnectionTestResult> {
  const row = await db
    .selectFrom('connections')
    .select('type')
    .where('tenant_id', '=', ctx.tenantId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `No connection named "${name}".`);
  const started = performance.now();
  const found = await readConnection({ db, tenantId: ctx.tenantId, name, type: row.type });
  if ('error' in found) throw new AppError('NOT_FOUND', found.error.message);
  const egress = readEgressAllowList();
  let result: TProbe;
  if ('error' in egress) result = { ok: false, code: egress.error.code, message: egress.error.message };
  else {
    try {
      result = await probe(row.type, found, egress.allow, `${ctx.tenantId}:${name}:${found.version}`);
    } catch (error) {
      result = failure(error, secretValuesOf(found.connection));
    }
  }
  return { ...result, durationMs: Math.round(performance.now() - started) };
}
