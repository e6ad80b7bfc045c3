import 'server-only';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { formatByteCount, GuardedFetchError } from '@/server/security/guarded-fetch-error';
import { CHECKED_ADDRESSES_OPTION } from '@/server/security/egress-connection-pool';

export type THttpExchange = {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  lookup: LookupFunction;
  signal: AbortSignal;
  maxResponseBytes: number;
  /** Responses for which the body is not wanted (a redirect about to be followed). */
  skipBody: (status: number, headers: Record<string, string>) => boolean;
  /**
   * Called synchronously once the connection is up (TLS included), right before the request's
   * first byte is written; a throw sends nothing and rejects with that error. The DNS lookup
   * and the connect are awaited before it, so a check made earlier may be stale by then.
   */
  beforeSend?: () => void;
  /**
   * A tenant's keep-alive agent (egress-connection-pool.ts) and the addresses the guard allowed
   * for this request, which name the pooled sockets it may use. Without them, a fresh connection.
   */
  pooled?: { agent: http.Agent; checkedAddresses: string };
};

/**
 * A pooled connection the server closed while it sat idle: the request failed before any answer
 * (Node's documented case for one retry on a fresh connection, `request.reusedSocket`).
 */
export class StalePooledSocketError extends Error {}

export type THttpExchangeResult = { status: number; headers: Record<string, string>; body: Buffer };

/** Node gives repeated headers (set-cookie) as arrays; one string per name is what callers store. */
function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * What http.request takes from a URL (Node's urlToHttpOptions), each part read once: Node reads
 * every getter of the URL, and each one checks its search parameters again.
 */
function urlRequestOptions(url: URL): http.RequestOptions {
  const { protocol, hostname, port, pathname, search, username, password } = url;
  return {
    protocol,
    hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
    path: `${pathname}${search}`,
    ...(port === '' ? {} : { port: Number(port) }),
    // Credentials in the URL become Basic auth, as Node does for a URL.
    ...(username || password ? { auth: `${decodeURIComponent(username)}:${decodeURIComponent(password)}` } : {}),
  };
}

/** What a request destroyed by its signal fails with (Node's AbortError, the signal's reason as cause). */
function abortError(reason: unknown): Error {
  return Object.assign(new Error('The operation was aborted', { cause: reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

/** What a write into a socket the server already closed fails with. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

function tooLarge(limit: number): GuardedFetchError {
  return new GuardedFetchError('HTTP', `response larger than ${formatByteCount(limit)}`, {
    retryable: false,
    details: { maxResponseBytes: limit },
  });
}

/**
 * One request and its response, over a fresh connection (`agent: false`), or over a pooled one
 * whose name holds the addresses this request's own egress check allowed (`pooled`). Connects
 * only where `lookup` says; reads at most `maxResponseBytes` of body and stops the transfer
 * beyond that.
 */
export function sendHttpExchange(exchange: THttpExchange): Promise<THttpExchangeResult> {
  const { url, maxResponseBytes, signal } = exchange;
  const transport = url.protocol === 'https:' ? https : http;
  const headers = { ...exchange.headers, ...(exchange.body ? { 'content-length': String(exchange.body.length) } : {}) };
  return new Promise((resolveExchange, rejectExchange) => {
    const { pooled } = exchange;
    const options = {
      ...urlRequestOptions(url),
      method: exchange.method,
      headers,
      lookup: exchange.lookup,
      ...(pooled ? { agent: pooled.agent, [CHECKED_ADDRESSES_OPTION]: pooled.checkedAddresses } : { agent: false }),
    };
    // The call's signal destroys the request, as http.request's `signal` option would; that
    // option also watches each request's end with a stream helper, most of its cost per call.
    const abort = () => request.destroy(abortError(signal.reason));
    const resolve = (result: THttpExchangeResult) => {
      signal.removeEventListener('abort', abort);
      resolveExchange(result);
    };
    const reject = (error: unknown) => {
      signal.removeEventListener('abort', abort);
      rejectExchange(error);
    };
    let answered = false;
    const request = transport.request(options, (response) => {
      answered = true;
      const status = response.statusCode ?? 0;
      const responseHeaders = flattenHeaders(response.headers);
      if (exchange.skipBody(status, responseHeaders)) {
        response.destroy();
        resolve({ status, headers: responseHeaders, body: Buffer.alloc(0) });
        return;
      }
      const declared = Number(responseHeaders['content-length']);
      if (Number.isFinite(declared) && declared > maxResponseBytes) {
        response.destroy();
        reject(tooLarge(maxResponseBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxResponseBytes) {
          response.destroy(tooLarge(maxResponseBytes));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('end', () => resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks) }));
      response.on('close', () => {
        // A connection dropped mid-body ends without 'end'; settling twice is a no-op.
        if (!response.complete)
          reject(new GuardedFetchError('HTTP', 'the connection closed before the response ended', { retryable: true }));
      });
    });
    // Whether the socket came connected from the pool. Node sets `reusedSocket` only for a free
    // socket taken at once, not for one handed to a request that queued for it (more requests
    // than the agent's maxSockets), so the socket's own state is asked too.
    let pooledSocket = false;
    request.on('error', (error: NodeJS.ErrnoException) => {
      const reused = request.reusedSocket || pooledSocket;
      const stale = reused && !answered && !exchange.signal.aborted && STALE_SOCKET_CODES.has(error.code ?? '');
      reject(stale ? new StalePooledSocketError(error.message) : error);
    });
    request.once('socket', (socket) => {
      pooledSocket = !socket.connecting;
    });
    if (signal.aborted) process.nextTick(abort);
    else signal.addEventListener('abort', abort, { once: true });
    const { beforeSend } = exchange;
    if (!beforeSend) {
      request.end(exchange.body);
      return;
    }
    // Headers and body wait in the request until end(). A new socket is still connecting when
    // it is handed over; a pooled one is connected already, so the check is made at once. It
    // used to wait for 'connect' unless `reusedSocket` was set, which Node leaves unset for a
    // request that queued for a pooled socket: that request waited for a 'connect' that never
    // came, until the server closed the idle connection ("socket hang up").
    request.once('socket', (socket) => {
      const send = () => {
        try {
          beforeSend();
        } catch (error) {
          request.destroy(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        request.end(exchange.body);
      };
      if (!socket.connecting) send();
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', send);
    });
  });
}
