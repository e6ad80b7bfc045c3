import { NextResponse, type NextRequest } from 'next/server';
import { sessionCookie } from '@/server/auth/session-cookie';
import {
  API_CONTENT_SECURITY_POLICY,
  BASELINE_SECURITY_HEADERS,
  pageContentSecurityPolicy,
} from '@/server/security/content-security-policy';
import { publicBaseUrl, publicOrigin, servedOverHttps } from '@/server/security/public-origin';
import { checkWriteOrigin, isStateChanging } from '@/server/security/request-origin';

/**
 * The root proxy (Next 16's middleware) does three cheap things before anything renders:
 * security headers with a fresh CSP nonce per page, a 403 for server actions from another
 * origin, and a redirect to sign-in for pages asked for without a session cookie. It is not
 * the authorization boundary: authorize()/authorizeRequest() still decide every request;
 * the redirect only spares a signed-out visitor a 200 and a streamed loading shell.
 */

/** Pages a visitor without a session may see. */
const PUBLIC_PAGES = new Set(['/sign-in']);

function withSecurityHeaders(response: NextResponse, csp: string): NextResponse {
  response.headers.set('Content-Security-Policy', csp);
  for (const [name, value] of Object.entries(BASELINE_SECURITY_HEADERS)) response.headers.set(name, value);
  if (servedOverHttps()) response.headers.set('Strict-Transport-Security', 'max-age=15552000');
  return response;
}

function hasSessionCookie(request: NextRequest): boolean {
  const { name } = sessionCookie();
  // next-auth splits a large cookie into name.0, name.1, …
  return request.cookies.has(name) || request.cookies.has(`${name}.0`);
}

export function proxy(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;

  // Next.js checks a server action's Origin against X-Forwarded-Host and lets one without
  // Origin through; refuse those here with a plain 403 (defineServerAction refuses them as well).
  if (request.headers.has('next-action') && isStateChanging(request.method)) {
    const verdict = checkWriteOrigin({ headers: request.headers, expectedOrigin: publicOrigin() });
    if (!verdict.ok) {
      const body = {
        error: {
          code: 'FORBIDDEN',
          message: `Refused: this request did not come from Pipewright's own pages (${verdict.reason}).`,
        },
      };
      return withSecurityHeaders(NextResponse.json(body, { status: 403 }), API_CONTENT_SECURITY_POLICY);
    }
  }

  if (pathname.startsWith('/api/')) return withSecurityHeaders(NextResponse.next(), API_CONTENT_SECURITY_POLICY);

  if (
    !PUBLIC_PAGES.has(pathname) &&
    // One-click task links (/t/<token>) carry their own authority: the token.
    !pathname.startsWith('/t/') &&
    !hasSessionCookie(request) &&
    (request.method === 'GET' || request.method === 'HEAD')
  ) {
    // On the public URL, not the request's Host (Next.js sends a same-origin Location as a path).
    const location = new URL(`/sign-in?callbackUrl=${encodeURIComponent(`${pathname}${search}`)}`, publicBaseUrl());
    const response = NextResponse.redirect(location, 307);
    return withSecurityHeaders(response, API_CONTENT_SECURITY_POLICY);
  }

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64');
  const csp = pageContentSecurityPolicy({
    nonce,
    development: process.env.NODE_ENV === 'development',
    https: servedOverHttps(),
  });
  // Next.js reads the nonce from the request's policy and puts it on its own scripts.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', csp);
  return withSecurityHeaders(NextResponse.next({ request: { headers: requestHeaders } }), csp);
}

export const config = {
  // Static build output needs no nonce (next.config.mjs gives it the baseline headers). The
  // JSON API sets its own headers (apiRoute): the middleware's per-request cost was measurable
  // on every API call, and none of its other jobs (nonce, server actions, sign-in redirect)
  // concerns /api/v1.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/v1/).*)'],
};
