// The web process's fast path for its hottest API route, installed by the preload
// scripts/api-fast-path.mjs (`node --import ./scripts/api-fast-path.mjs --import
// ./scripts/peer-address.mjs next start`). Plain JavaScript importing only Node: it runs
// before Next.js and outside its bundles.
//
// Issue #16: a run start's own work (token from the cache, zod, Ajv, one group-committed
// statement) is a fraction of what the web process spends on it; most of the rest is Next.js's
// per-request pipeline (routing, NextRequest/NextURL, its tracer and async contexts, the
// response piped through web streams). For the hottest API route, POST /api/v1/workflows/{key}/runs,
// this hands the request straight to the SAME handler Next.js would call: the POST export of
// the compiled route module that Next.js itself loads (.next/server/app/…/route.js, one
// module instance in this process), i.e. apiRoute(startWorkflowRunContract, …) with its
// authorization, tenant scoping, contract validation, body limits, error shapes, security
// headers and request log line. Only the translation between Node's request/response and the
// web Request/Response is ours, and it copies what Next.js passes (headers, x-forwarded-*,
// params, an abort signal).
//
// Narrow on purpose; anything else goes to Next.js unchanged:
//   - exactly `POST /api/v1/workflows/{key}/runs`, no query string;
//   - a Bearer token (a session cookie needs Next.js's request context: next/headers);
//   - a declared Content-Length of at most FAST_PATH_MAX_BODY (no chunked uploads, so the
//     body is read here whole and the handler still applies its own limit and checks to it);
//   - after Next.js has answered one request (the app's instrumentation has registered).
// A request with a query string (e.g. `?via=next`) always takes Next.js's path, which is how
// the e2e suite compares the two answers. PIPEWRIGHT_API_FAST_PATH=off turns it off.
/* global Headers, Request, AbortController, URL */
import { Buffer } from 'node:buffer';
import console from 'node:console';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Bodies above this go through Next.js (the handler's own limit, 1 MiB, applies on both paths). */
export const FAST_PATH_MAX_BODY = 64 * 1024;

/** The routes answered here: method, path pattern, compiled route module, params from the match. */
export const FAST_ROUTES = [
  {
    method: 'POST',
    // A key of plain URL characters only: one with an escape (%2F), a backslash or a doubled
    // slash goes to Next.js, whose decoding and redirects (a 308 for a backslash or `//`) then apply.
    pattern: /^\/api\/v1\/workflows\/([A-Za-z0-9._~-]+)\/runs$/,
    module: 'server/app/api/v1/workflows/[key]/runs/route.js',
    params: (match) => ({ key: match[1] }),
  },
];

/**
 * The fast route a request may take, with its params, or null when it must go to Next.js.
 * `request` needs method, url and headers (a Node IncomingMessage has them).
 */
export function matchFastRoute(request, routes = FAST_ROUTES) {
  const url = request.url ?? '';
  if (url.includes('?') || url.includes('#')) return null;
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string' || !/^Bearer\s/i.test(authorization)) return null;
  const declared = request.headers['content-length'];
  if (declared === undefined || !/^\d+$/.test(declared) || Number(declared) > FAST_PATH_MAX_BODY) return null;
  if (request.headers['transfer-encoding'] !== undefined) return null;
  for (const route of routes) {
    if (route.method !== request.method) continue;
    const match = route.pattern.exec(url);
    if (match) return { route, params: route.params(match) };
  }
  return null;
}

/** The body, read whole (its length was declared and is small). */
function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * The web Request Next.js would hand the route: its headers (with the x-forwarded-* Next.js
 * fills in when absent, base-server.ts), the body, and a signal aborted when the client goes.
 */
export function toWebRequest(request, response, body) {
  const socket = request.socket;
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const https = headers.has('x-forwarded-proto') ? headers.get('x-forwarded-proto') === 'https' : !!socket?.encrypted;
  if (!headers.has('x-forwarded-host') && headers.has('host')) headers.set('x-forwarded-host', headers.get('host'));
  if (!headers.has('x-forwarded-port') && socket?.localPort) headers.set('x-forwarded-port', String(socket.localPort));
  if (!headers.has('x-forwarded-proto')) headers.set('x-forwarded-proto', https ? 'https' : 'http');
  if (!headers.has('x-forwarded-for') && socket?.remoteAddress) headers.set('x-forwarded-for', socket.remoteAddress);
  const aborted = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) aborted.abort();
  });
  const origin = `${https ? 'https' : 'http'}://localhost:${socket?.localPort ?? 80}`;
  return new Request(new URL(request.url, origin), {
    method: request.method,
    headers,
    body: body.length > 0 ? body : undefined,
    signal: aborted.signal,
  });
}

/** Writes a web Response to a Node response: status, headers (each Set-Cookie apart), body with its length. */
export async function sendWebResponse(webResponse, response) {
  const body = webResponse.body ? Buffer.from(await webResponse.arrayBuffer()) : null;
  response.statusCode = webResponse.status;
  for (const [name, value] of webResponse.headers) {
    if (name !== 'set-cookie') response.setHeader(name, value);
  }
  const cookies = webResponse.headers.getSetCookie();
  if (cookies.length > 0) response.setHeader('set-cookie', cookies);
  if (body) response.setHeader('content-length', String(body.length));
  response.end(body ?? undefined);
}

/** Answers one request through `handler` (a route's exported method): Request in, Response out. */
export async function answerFast({ request, response, handler, params }) {
  try {
    const body = await readBody(request);
    const webResponse = await handler(toWebRequest(request, response, body), { params: Promise.resolve(params) });
    await sendWebResponse(webResponse, response);
  } catch (error) {
    // apiRoute turns every error into its answer, so this is a fault in the translation itself.
    console.error('[api-fast-path] request failed:', error);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.statusCode = 500;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'Internal error.' } }));
  }
}

/** Loads a route's handler from the compiled route module Next.js loads (same module instance). */
async function loadHandler(distDir, route) {
  const require = createRequire(path.join(distDir, 'package.json'));
  const compiled = require(path.join(distDir, route.module));
  await compiled.routeModule.ensureUserland();
  const handler = compiled.routeModule.userland[route.method];
  if (typeof handler !== 'function') throw new Error(`${route.module} has no ${route.method} export`);
  return handler;
}

/**
 * Installs the fast path on every http.Server of this process (Next.js's own): a request it
 * matches is answered here and never reaches Next.js's listener; all others pass through.
 */
export function installApiFastPath({ distDir = path.resolve('.next'), routes = FAST_ROUTES } = {}) {
  const handlers = new Map();
  let nextAnswered = false;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function emitWithFastPath(event, request, response, ...rest) {
    if (event !== 'request' || !request?.headers) return emit.call(this, event, request, response, ...rest);
    const fast = nextAnswered ? matchFastRoute(request, routes) : null;
    if (!fast) {
      if (!nextAnswered) response.once('finish', () => (nextAnswered = true));
      return emit.call(this, event, request, response, ...rest);
    }
    let handler = handlers.get(fast.route);
    if (!handler) {
      handler = loadHandler(distDir, fast.route);
      handlers.set(fast.route, handler);
      handler.catch(() => handlers.delete(fast.route)); // tried again by the next request
    }
    handler.then(
      (loaded) => answerFast({ request, response, handler: loaded, params: fast.params }),
      (error) => {
        console.error('[api-fast-path] could not load the route; Next.js answers it:', error);
        emit.call(this, event, request, response, ...rest);
      },
    );
    return true;
  };
}
