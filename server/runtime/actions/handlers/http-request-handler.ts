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
import type { TArtifactRef } from '@/model/artifacts/artifact-ref';
import { isValidContentType, type TArtifactDraft } from '@/server/artifacts/artifact-stager';
import { artifactMaxBytes } from '@/server/artifacts/artifact-limits';
import { formatByteCount } from '@/server/security/guarded-fetch-error';
import type { TEgressConnectionPool } from '@/server/security/egress-connection-pool';
import { wasParsedWith } from '@/server/runtime/actions/parsed-action-input';

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
  /** W3C trace context of the step (SPEC §8), sent unless the input sets its own. */
  traceparent?: string;
  /** Keeps the body as a file of the run (`saveBodyAs: "artifact"`, TActionInvocation.stageArtifact). */
  stageArtifact?: (draft: TArtifactDraft) => Promise<TArtifactRef>;
  /** The tenant's keep-alive connections (egressConnectionPoolFor); without it, a new connection per call. */
  pool?: TEgressConnectionPool;
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

/** A file name from the response (Content-Disposition, else the URL's last segment), made safe to store. */
export function responseFileName(response: Pick<TGuardedFetchResponse, 'headers'>, url: string): string {
  const disposition = response.headers['content-disposition'] ?? '';
  let name: string | undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition)?.[1];
  if (extended) {
    try {
      name = decodeURIComponent(extended.trim());
    } catch (error) {
      // A malformed %-escape: fall back to the plain filename or the URL.
      if (!(error instanceof URIError)) throw error;
    }
  }
  name ??= /filename\s*=\s*(?:"([^"]*)"|([^;]+))/
    .exec(disposition)
    ?.slice(1)
    .find((part) => part !== undefined);
  if (!name) {
    const segment = new URL(url).pathname.split('/').filter(Boolean).pop();
    try {
      name = segment ? decodeURIComponent(segment) : undefined;
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
      name = segment;
    }
  }
  // Control characters and path separators: what artifactNameProblem refuses, replaced instead.
  const safe = (name ?? '')
    .replace(/[\p{Cc}/\\]/gu, '_')
    .trim()
    .slice(0, 255);
  return safe || 'response';
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
  traceparent,
  stageArtifact,
  pool,
}: THttpRequestHandlerArgs): Promise<{ output: THttpRequestOutput } | { error: TStepError }> {
  // The step's callAction parsed it with this schema already; a test or a connection's rewrite did not.
  const parsed = wasParsedWith(ZHttpRequestInput, raw)
    ? { success: true as const, data: raw as THttpRequestInput }
    : ZHttpRequestInput.safeParse(raw);
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
  const saving = input.saveBodyAs === 'artifact';
  if (saving && !stageArtifact)
    return {
      error: {
        code: 'VALIDATION',
        message: 'saveBodyAs "artifact" needs a run to store the file in; it cannot be used here',
        retryable: false,
      },
    };
  // Read before the call: the body is cut off at the limit while it streams in, never held whole.
  const maxResponseBytes = saving ? artifactMaxBytes() : undefined;
  const headers = { ...input.headers };
  // A retried attempt carries the same key, so the receiver can tell it from a new request.
  if (!hasHeader(headers, 'idempotency-key')) headers['Idempotency-Key'] = idempotencyKey;
  if (traceparent && !hasHeader(headers, 'traceparent')) headers.traceparent = traceparent;
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
      pool,
      ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }),
    });
    if (response.status >= 400) return { error: responseStepError(input.method, input.url, response) };
    if (input.method === 'HEAD')
      return { output: { status: response.status, headers: response.headers, body: '', bodyEncoding: 'text' } };
    if (saving) {
      const contentType = response.headers['content-type']?.trim() || 'application/octet-stream';
      const body = await stageArtifact!({
        name: input.artifactName ?? responseFileName(response, response.url || input.url),
        // A malformed type from the server is not the step's fault: the bytes are kept as octets.
        contentType: isValidContentType(contentType) ? contentType : 'application/octet-stream',
        bytes: response.body,
      });
      return { output: { status: response.status, headers: response.headers, body, bodyEncoding: 'artifact' } };
    }
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
    if (error instanceof GuardedFetchError && maxResponseBytes !== undefined && error.details?.maxResponseBytes)
      return {
        error: {
          code: 'ARTIFACT_TOO_LARGE',
          message: `${input.method} ${new URL(input.url).host}: the response is larger than PIPEWRIGHT_ARTIFACT_MAX_BYTES (${formatByteCount(maxResponseBytes)}); nothing was stored`,
          details: { maxBytes: maxResponseBytes },
          retryable: false,
        },
      };
    if (error instanceof GuardedFetchError) return { error: fetchStepError(error) };
    throw error;
  }
}
