import 'server-only';
import {
  ZHttpRequestInput,
  type THttpBodyEncoding,
  type ZHttpRequestOutput,
} from '@/server/runtime/actions/http-request';
import { findUnstorableJson, MAX_JSON_DEPTH } from '@/server/db/storable-json';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import type { TEgressAllowList } from '@/server/security/egress-allowlist';
import type { TResolveHost } from '@/server/security/egress-guard';
import { DEFAULT_TIMEOUT_MS, guardedFetch, type TGuardedFetchResponse } from '@/server/security/guarded-fetch';
import { GuardedFetchError } from '@/server/security/guarded-fetch-error';
import { fetchStepError, responseStepError } from '@/server/runtime/actions/handlers/http-step-error';
import type { z } from 'zod';

type THttpRequestInput = z.infer<typeof ZHttpRequestInput>;
type THttpRequestOutput = z.infer<typeof ZHttpRequestOutput>;

export type THttpRequestHandlerArgs = {
  input: unknown;
  signal: AbortSignal;
  idempotencyKey: string;
  allow: TEgressAllowList;
  /** Tests stand in for DNS; production uses the system resolver. */
  resolveHost?: TResolveHost;
  /** Asked right before the request is written (TActionInvocation.assertLeaseHeld); a throw sends nothing. */
  beforeSend?: () => void;
  /** Whether a value holds one of the run's resolved secrets: such headers never follow a redirect to another origin. */
  holdsSecret?: (value: string) => boolean;
};

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function buildUrl(input: THttpRequestInput): string {
  const url = new URL(input.url);
  for (const [name, value] of Object.entries(input.query ?? {})) url.searchParams.append(name, String(value));
  return url.href;
}

/** Header names compare case-insensitively; the caller's own spelling of a header wins over ours. */
function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function buildBody(input: THttpRequestInput, headers: Record<string, string>): string | undefined {
  if (input.body === undefined) return undefined;
  if (typeof input.body === 'string') return input.body;
  if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
  return JSON.stringify(input.body);
}

/** The body's text in its declared charset (UTF-8 if none or unknown), or null when the bytes are not text in it. */
function decodeText(response: TGuardedFetchResponse): string | null {
  const charset = /;\s*charset="?([\w-]+)"?/i.exec(response.headers['content-type'] ?? '')?.[1];
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8', { fatal: true });
  } catch (error) {
    // An unknown charset label throws RangeError; the bytes are still best read as UTF-8.
    if (!(error instanceof RangeError)) throw error;
    decoder = new TextDecoder('utf-8', { fatal: true });
  }
  let text: string;
  try {
    text = decoder.decode(response.body);
  } catch (error) {
    // A fatal decoder throws TypeError on bytes that are not text in its encoding.
    if (!(error instanceof TypeError)) throw error;
    return null;
  }
  // NUL is valid UTF-8 but no text a person reads; PostgreSQL cannot store it in a string either.
  return text.includes('\u0000') ? null : text;
}

/**
 * The body as the step's output holds it (the http.request action's description says the
 * same): JSON when the content-type says so, it parses and it can be stored as jsonb
 * (`bodyEncoding: 'json'`); otherwise the text (`'text'`) — a mislabelled body, or JSON with
 * `\u0000` or a lone surrogate in a string, kept exactly as received with its escapes; and
 * bytes that are not text, or text with NUL in it, as `{ base64, contentType }` (`'base64'`).
 * JSON nested too deep to store is an error: no form of it would be usable.
 */
function readBody(
  response: TGuardedFetchResponse,
): { body: unknown; bodyEncoding: THttpBodyEncoding } | { error: string } {
  const text = decodeText(response);
  const contentType = response.headers['content-type'] ?? '';
  if (text === null)
    return {
      body: { base64: response.body.toString('base64'), contentType: contentType || 'application/octet-stream' },
      bodyEncoding: 'base64',
    };
  if (!JSON_CONTENT_TYPE.test(contentType) || text.trim() === '') return { body: text, bodyEncoding: 'text' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { body: text, bodyEncoding: 'text' };
  }
  // Checked here, before anything walks the value: masking secrets or serialising 10,000 levels overflows the stack.
  const problem = findUnstorableJson(parsed, 'body', MAX_JSON_DEPTH);
  if (!problem) return { body: parsed, bodyEncoding: 'json' };
  if (/nested deeper/.test(problem.message))
    return { error: `the response's JSON ${problem.message.replace(/^body\S*/, 'body')}` };
  return { body: text, bodyEncoding: 'text' };
}

/**
 * http.request@1 (SPEC §4.4) over guardedFetch: 2xx and 3xx are the output; 5xx, 429 and
 * network errors are retryable HTTP errors (Retry-After honoured); other 4xx are final;
 * EGRESS_BLOCKED, TIMEOUT and CANCELED come from the client as they are.
 */
export async function httpRequestHandler({
  input: raw,
  signal,
  idempotencyKey,
  allow,
  resolveHost,
  holdsSecret,
  beforeSend,
}: THttpRequestHandlerArgs): Promise<{ output: THttpRequestOutput } | { error: TStepError }> {
  const parsed = ZHttpRequestInput.safeParse(raw);
  if (!parsed.success) {
    return {
      error: {
        code: 'VALIDATION',
        message: `Invalid input for http.request@1: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        retryable: false,
      },
    };
  }
  const input = parsed.data;
  const headers = { ...input.headers };
  // A retried attempt carries the same key, so the receiver can tell it from a new request.
  if (!hasHeader(headers, 'idempotency-key')) headers['Idempotency-Key'] = idempotencyKey;
  const body = buildBody(input, headers);
  try {
    const response = await guardedFetch({
      url: buildUrl(input),
      method: input.method,
      headers,
      body,
      signal,
      timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      allow,
      resolveHost,
      holdsSecret,
      beforeSend,
    });
    if (response.status >= 400) return { error: responseStepError(input.method, input.url, response) };
    if (input.method === 'HEAD')
      return { output: { status: response.status, headers: response.headers, body: '', bodyEncoding: 'text' } };
    const read = readBody(response);
    // Refused for good: the same response would be refused on every attempt.
    if ('error' in read)
      return {
        error: {
          code: 'VALIDATION',
          message: `${input.method} ${new URL(input.url).host} answered ${response.status}, but ${read.error}`,
          details: { status: response.status },
          retryable: false,
        },
      };
    return { output: { status: response.status, headers: response.headers, ...read } };
  } catch (error) {
    if (error instanceof GuardedFetchError) return { error: fetchStepError(error) };
    throw error;
  }
}
