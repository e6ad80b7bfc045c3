import 'server-only';
import {
  createGuardedLookup,
  assertUrlAllowed,
  resolveAllowedAddresses,
  resolveWithSystemDns,
  type TResolveHost,
} from '@/server/security/egress-guard';
import { checkedAddressesLookup, type TEgressConnectionPool } from '@/server/security/egress-connection-pool';
import { EMPTY_ALLOW_LIST, type TEgressAllowList } from '@/server/security/egress-allowlist';
import { GuardedFetchError } from '@/server/security/guarded-fetch-error';
import {
  sendHttpExchange,
  StalePooledSocketError,
  type THttpExchange,
  type THttpExchangeResult,
} from '@/server/security/send-http-exchange';
import { recordCallerRefusal } from '@/server/security/caller-refusal';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

export type TGuardedFetchRequest = {
  url: string;
  method?: string;
  /** Header names are matched case-insensitively; content-length is always computed here. */
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** For the whole call: every redirect hop and the body read included. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  maxRedirects?: number;
  /** Parsed PIPEWRIGHT_EGRESS_ALLOW; empty means only public addresses. */
  allow?: TEgressAllowList;
  resolveHost?: TResolveHost;
  /**
   * Asked synchronously before each hop's request is written, after its lookup and connect
   * (a worker checks there that it still holds the run). Whatever it throws is rethrown as is,
   * and nothing of that hop is sent.
   */
  beforeSend?: () => void;
  /** Whether a header value holds a resolved secret (in any encoding): such a header never follows a redirect to another origin. */
  holdsSecret?: (value: string) => boolean;
  /**
   * Keep-alive connections of one tenant (egressConnectionPoolFor). Each hop is still checked:
   * its host is resolved and its addresses allowed before the request, and only a connection
   * made to those same addresses is reused. Without it, every hop opens a new connection.
   */
  pool?: TEgressConnectionPool;
};

export type TGuardedFetchResponse = { status: number; headers: Record<string, string>; body: Buffer; url: string };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/**
 * What a redirect to another origin may carry: headers that describe the request, never
 * credentials. Any other header stays with the origin it was meant for, since a credential can
 * travel under any name (x-api-key, x-auth-token, private-token…); so does a safelisted one
 * whose value holds a secret. Idempotency-Key and trace context are Pipewright's own.
 */
const CROSS_ORIGIN_HEADERS = new Set([
  'accept',
  'accept-language',
  'content-language',
  'content-type',
  'user-agent',
  'idempotency-key',
  'traceparent',
  'tracestate',
]);
/** Computed per hop, or describe a body that a method-changing redirect drops. */
const BODY_HEADERS = ['content-length', 'content-type', 'content-encoding', 'transfer-encoding'];

const INVALID_REQUEST_CODE = /^ERR_(INVALID_|HTTP_INVALID_|UNESCAPED_CHARACTERS)/;

type THop = { url: URL; method: string; headers: Record<string, string>; body?: Buffer };

function lowerCaseHeaders(headers: Record<string, string> = {}): Record<string, string> {
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value;
  delete lowered['content-length'];
  delete lowered['transfer-encoding'];
  return lowered;
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}

function crossOriginHeaders(
  headers: Record<string, string>,
  holdsSecret: (value: string) => boolean,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name, value]) => CROSS_ORIGIN_HEADERS.has(name) && !holdsSecret(value)),
  );
}

/** The request a redirect asks for, as browsers (and the Fetch standard) make it, with only safe headers to another origin. */
function followRedirect(hop: THop, status: number, location: string, holdsSecret: (value: string) => boolean): THop {
  if (!URL.canParse(location, hop.url)) {
    throw new GuardedFetchError('HTTP', 'redirected to an invalid URL', { retryable: false, details: { status } });
  }
  const url = new URL(location, hop.url);
  const dropsBody =
    status === 303 ? hop.method !== 'HEAD' : (status === 301 || status === 302) && hop.method === 'POST';
  let headers = url.origin === hop.url.origin ? hop.headers : crossOriginHeaders(hop.headers, holdsSecret);
  if (dropsBody) headers = withoutHeaders(headers, BODY_HEADERS);
  return dropsBody ? { url, method: 'GET', headers } : { url, method: hop.method, headers, body: hop.body };
}

/**
 * The call's one signal: aborted when `timeoutMs` passes or when the caller's signal aborts. A
 * timer and one listener, not AbortSignal.any (~20 µs a call, and weak references for the GC).
 */
function callDeadline(
  timeoutMs: number,
  caller: AbortSignal | undefined,
): { signal: AbortSignal; timedOut: () => boolean; dispose: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = () => controller.abort(caller?.reason);
  if (caller?.aborted) onCallerAbort();
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    },
  };
}

/** Turns whatever the exchange threw into a GuardedFetchError, telling a timeout from a cancel. */
function toGuardedFetchError(
  error: unknown,
  timedOut: boolean,
  caller: AbortSignal | undefined,
  timeoutMs: number,
): GuardedFetchError {
  if (timedOut)
    return new GuardedFetchError('TIMEOUT', `no complete response within ${timeoutMs} ms`, {
      retryable: true,
      details: { timeoutMs },
    });
  if (caller?.aborted) {
    // A step deadline arrives as AbortSignal.timeout(), whose reason is a TimeoutError.
    const reason: unknown = caller.reason;
    const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
    return timedOut
      ? new GuardedFetchError('TIMEOUT', 'the step timed out during the request', { retryable: true })
      : new GuardedFetchError('CANCELED', 'the request was canceled', { retryable: false });
  }
  if (error instanceof GuardedFetchError) return error;
  const errno = error as NodeJS.ErrnoException;
  const details = errno.code ? { cause: errno.code } : undefined;
  // Node refuses to send a malformed request (bad header, method or path) the same way every time.
  if (errno.code && INVALID_REQUEST_CODE.test(errno.code))
    return new GuardedFetchError('HTTP', `the request is not valid: ${errno.message}`, { retryable: false, details });
  return new GuardedFetchError('HTTP', `network error: ${errno.message}`, { retryable: true, details });
}

/**
 * One hop over the tenant's pool: the egress check of this hop (resolve, allow) happens here,
 * every time, and names the pooled connections it may use; a new one connects only to the
 * addresses checked. A pooled connection the server had closed is retried once on a new one.
 */
async function sendPooled(
  exchange: Omit<THttpExchange, 'pooled'>,
  pool: TEgressConnectionPool,
  allow: TEgressAllowList,
  resolveHost: TResolveHost,
): Promise<THttpExchangeResult> {
  const hostname = exchange.url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = await resolveAllowedAddresses(hostname, allow, resolveHost);
  const checked = { ...exchange, lookup: checkedAddressesLookup(addresses) };
  const agent = exchange.url.protocol === 'https:' ? pool.https : pool.http;
  const checkedAddresses = addresses
    .map((a) => a.address)
    .sort()
    .join(',');
  try {
    return await sendHttpExchange({ ...checked, pooled: { agent, checkedAddresses } });
  } catch (error) {
    if (!(error instanceof StalePooledSocketError)) throw error;
    return sendHttpExchange(checked);
  }
}

/**
 * The one HTTP client for outbound calls. Only http(s); private, loopback, link-local and
 * other non-public targets are refused (EGRESS_BLOCKED) unless `allow` opens them — for IP
 * literals before connecting, for hostnames inside the socket's DNS lookup, so the address
 * checked is the address connected to. Redirects are followed here, at most `maxRedirects`,
 * each hop checked again; a hop to another origin keeps only safelisted headers without secrets. Fails with a GuardedFetchError; any HTTP status is a response.
 *
 * @example
 * const response = await guardedFetch({ url: 'https://api.example.com/v1/items', allow: parseEgressAllowList(process.env.PIPEWRIGHT_EGRESS_ALLOW) });
 */
export async function guardedFetch(request: TGuardedFetchRequest): Promise<TGuardedFetchResponse> {
  const {
    allow = EMPTY_ALLOW_LIST,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
    maxRedirects = DEFAULT_MAX_REDIRECTS,
    resolveHost = resolveWithSystemDns,
    holdsSecret = () => false,
  } = request;
  const deadline = callDeadline(timeoutMs, request.signal);
  const { signal } = deadline;
  const lookup = createGuardedLookup(allow, resolveHost);
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const caller = recordCallerRefusal(request.beforeSend);
  try {
    if (!URL.canParse(request.url)) throw new GuardedFetchError('HTTP', 'the URL is not valid', { retryable: false });
    let hop: THop = {
      url: new URL(request.url),
      method: (request.method ?? 'GET').toUpperCase(),
      headers: lowerCaseHeaders(request.headers),
      body,
    };
    for (let redirects = 0; ; redirects += 1) {
      signal.throwIfAborted();
      assertUrlAllowed(hop.url, allow);
      const exchange = {
        ...hop,
        lookup,
        signal,
        maxResponseBytes,
        beforeSend: caller.check,
        skipBody: (status: number, headers: Record<string, string>) =>
          REDIRECT_STATUSES.has(status) && headers.location !== undefined,
      };
      const response = request.pool
        ? await sendPooled(exchange, request.pool, allow, resolveHost)
        : await sendHttpExchange(exchange);
      const location = REDIRECT_STATUSES.has(response.status) ? response.headers.location : undefined;
      if (location === undefined) return { ...response, url: hop.url.href };
      if (redirects >= maxRedirects) {
        throw new GuardedFetchError('HTTP', `more than ${maxRedirects} redirects`, {
          retryable: false,
          details: { status: response.status, maxRedirects },
        });
      }
      hop = followRedirect(hop, response.status, location, holdsSecret);
    }
  } catch (error) {
    const refused = caller.refusal();
    if (refused) throw refused.error;
    throw toGuardedFetchError(error, deadline.timedOut(), request.signal, timeoutMs);
  } finally {
    deadline.dispose();
  }
}
