import { ZHttpRequestInput, type ZHttpRequestOutput } from '@/server/runtime/actions/http-request';
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

function decodeText(response: TGuardedFetchResponse): string {
  const charset = /;\s*charset="?([\w-]+)"?/i.exec(response.headers['content-type'] ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(response.body);
  } catch (error) {
    // An unknown charset label throws RangeError; the bytes are still best read as UTF-8.
    if (!(error instanceof RangeError)) throw error;
    return response.body.toString('utf8');
  }
}

/** JSON when the content-type says so and the body parses; otherwise the text, so a mislabelled body is still seen. */
function parseBody(response: TGuardedFetchResponse): unknown {
  const text = decodeText(response);
  if (!JSON_CONTENT_TYPE.test(response.headers['content-type'] ?? '') || text.trim() === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return text;
  }
}

/**
 * http.request@1 (SPEC §4.4) over guardedFetch: 2xx and 3xx are the output; 5xx, 429 and
 * network errors are retryable HTTP errors (Retry-After honoured); other 4xx are final;
 * EGRESS_BLOCKED, TIMEOUT and CANCELED come from the client as they are.
 */
export async function httpRequestHandler({ input: raw, signal, idempotencyKey, allow, resolveHost }: THttpRequestHandlerArgs): Promise<{ output: THttpRequestOutput } | { error: TStepError }> {
  const parsed = ZHttpRequestInput.safeParse(raw);
  if (!parsed.success) {
    return { error: { code: 'VALIDATION', message: `Invalid input for http.request@1: ${parsed.error.issues.map((i) => i.message).join('; ')}`, retryable: false } };
  }
  const input = parsed.data;
  const headers = { ...input.headers };
  // A retried attempt carries the same key, so the receiver can tell it from a new request.
  if (!hasHeader(headers, 'idempotency-key')) headers['Idempotency-Key'] = idempotencyKey;
  const body = buildBody(input, headers);
  try {
    const response = await guardedFetch({ url: buildUrl(input), method: input.method, headers, body, signal, timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS, allow, resolveHost });
    if (response.status >= 400) return { error: responseStepError(input.method, input.url, response) };
    return { output: { status: response.status, headers: response.headers, body: input.method === 'HEAD' ? '' : parseBody(response) } };
  } catch (error) {
    if (error instanceof GuardedFetchError) return { error: fetchStepError(error) };
    throw error;
  }
}
