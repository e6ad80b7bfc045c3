import 'server-only';
import type { z } from 'zod';
import type { TContract } from '@/server/api/contract';
import type { TAuthContext } from '@/server/auth/context';
import { authorizeRequest } from '@/server/auth/authorize';
import { getDb, type Db } from '@/server/db/database';
import { parseStorableJson } from '@/server/db/storable-json';
import { AppError, errorBody, toAppError, validationErrorFromZod } from '@/model/errors';
import { getLogger } from '@/server/logging/logger';
import { noteRequestTenant, withRequestLog } from '@/server/logging/request-log';
import { API_CONTENT_SECURITY_POLICY, BASELINE_SECURITY_HEADERS } from '@/server/security/content-security-policy';
import { servedOverHttps } from '@/server/security/public-origin';

export const MAX_JSON_BODY_BYTES = 1024 * 1024;

type Infer<T> = T extends z.ZodTypeAny ? z.infer<T> : undefined;
type THandlerArgs<C extends TContract> = {
  request: Request;
  db: Db;
  ctx: C['permission'] extends null ? null : TAuthContext;
  params: Infer<C['params']>;
  query: Infer<C['query']>;
  body: Infer<C['body']>;
};
type TRouteContext = { params: Promise<Record<string, string | string[]>> };

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

export function errorResponse(error: AppError, headers: Record<string, string> = {}): Response {
  return jsonResponse(errorBody(error), error.status, headers);
}

/**
 * The body as text, read chunk by chunk and abandoned as soon as it passes the limit: a
 * chunked upload has no Content-Length, and buffering it whole first would let one request
 * fill the server's memory.
 */
async function readBodyText(request: Request): Promise<string> {
  const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${MAX_JSON_BODY_BYTES} bytes.`);
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_JSON_BODY_BYTES) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.byteLength;
    if (size > MAX_JSON_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(next.value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks)); // like Request.text(): UTF-8, BOM dropped
}

/** `application/json` or any `…+json`, parameters (charset) aside. */
function isJsonContentType(value: string | null): boolean {
  const type = (value ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

async function readJsonBody(request: Request): Promise<unknown> {
  const text = await readBodyText(request);
  if (text.trim() === '') return undefined;
  // A form can send text/plain (or urlencoded, multipart) to another site without a CORS
  // preflight; a JSON route that parsed such a body anyway would be one a page elsewhere
  // could post to. Scripts send what they mean.
  const type = request.headers.get('content-type');
  if (!isJsonContentType(type)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `The body must be JSON sent as "Content-Type: application/json"${type ? `, not "${type}"` : ' (no Content-Type was given)'}.`,
    );
  }
  // Valid JSON the database cannot store (\u0000, a lone surrogate, deeper than 64 levels) is a
  // 422 naming the field, not the 500 PostgreSQL's refusal (or a stack overflow) became after
  // part of the work was done. The depth is checked on the text, before anything recursive runs.
  return parseStorableJson(text, 'body');
}

function parseWith<S extends z.ZodTypeAny>(schema: S | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationErrorFromZod(parsed.error, where);
  return parsed.data;
}

/**
 * Builds a route handler from a contract: authenticate and authorize, parse params, query
 * and body with the contract's zod schemas, call the handler, and map any error to the
 * SPEC §6 error body. Handlers return data (sent with the contract's success status) or a
 * Response of their own.
 */
export function apiRoute<C extends TContract>(contract: C, handler: (args: THandlerArgs<C>) => Promise<unknown>) {
  return withRequestLog(contract, async function route(request: Request, context: TRouteContext): Promise<Response> {
    return withApiSecurityHeaders(await answer(request, context));
  });

  async function answer(request: Request, context: TRouteContext): Promise<Response> {
    try {
      const ctx = contract.permission === null ? null : await authorizeRequest(request, contract.permission);
      if (ctx) noteRequestTenant(request, ctx.tenantId);
      const rawParams = context?.params ? await context.params : {};
      const url = new URL(request.url);
      const args = {
        request,
        db: getDb(),
        ctx,
        params: parseWith(contract.params, rawParams, 'path'),
        query: parseWith(contract.query, Object.fromEntries(url.searchParams), 'query'),
        body: contract.body ? parseWith(contract.body, await readJsonBody(request), 'body') : undefined,
      } as THandlerArgs<C>;
      const result = await handler(args);
      if (result instanceof Response) return result;
      return jsonResponse(result, contract.successStatus ?? 200);
    } catch (error) {
      const appError = toAppError(error);
      if (appError.code === 'INTERNAL')
        getLogger().error({ err: error, method: contract.method, route: contract.path }, 'API request failed');
      return errorResponse(appError);
    }
  }
}

/**
 * The security headers of every /api/v1 answer, set here rather than by the root proxy: the
 * proxy's matcher leaves /api/v1 out, since running Next's middleware cost every API request
 * (a run start most of all) several percent of the web process's CPU for three constant headers.
 */
function withApiSecurityHeaders(response: Response): Response {
  const headers = response.headers;
  headers.set('Content-Security-Policy', API_CONTENT_SECURITY_POLICY);
  for (const [name, value] of Object.entries(BASELINE_SECURITY_HEADERS)) headers.set(name, value);
  if (servedOverHttps()) headers.set('Strict-Transport-Security', 'max-age=15552000');
  return response;
}
