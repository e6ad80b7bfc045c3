import 'server-only';
import { getServerSession } from 'next-auth';
import { cookies, headers } from 'next/headers';
import { authOptions } from '@/server/auth/auth-options';
import type { TAuthContext } from '@/server/auth/context';
import type { TPermission } from '@/model/roles';
import { assertAllowed } from '@/server/auth/assert-allowed';

export { assertAllowed };
import { resolveMembership } from '@/server/auth/resolve-membership';
import { getDb } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { resolveApiToken } from '@/server/tokens/resolve-api-token';
import { checkWriteOrigin, isStateChanging } from '@/server/security/request-origin';
import { publicOrigin } from '@/server/security/public-origin';

export const TENANT_COOKIE = 'pw_tenant';

/** SPEC §12: with a session, a request names its tenant by slug in this header (the switcher's cookie otherwise). */
export const TENANT_HEADER = 'pipewright-tenant';

/**
 * The signed-in person's context from the session cookie, or null. `tenantSlug` (a request's
 * Pipewright-Tenant) must name a tenant of theirs: unlike the cookie, it never falls back.
 */
export async function getSessionContext(tenantSlug?: string): Promise<TAuthContext | null> {
  const session = await getServerSession(authOptions);
  const userId = session?.user?.id;
  if (!userId) return null;
  const slug = tenantSlug ?? (await cookies()).get(TENANT_COOKIE)?.value;
  const sessionVersion = session.user?.sessionVersion ?? null;
  const ctx = await resolveMembership({ db: getDb(), userId, sessionVersion, tenantSlug: slug });
  if (ctx && tenantSlug !== undefined && ctx.tenantSlug !== tenantSlug) {
    throw new AppError('FORBIDDEN', `You are not a member of the tenant "${tenantSlug}" named by Pipewright-Tenant.`);
  }
  return ctx;
}

/** The one authorization helper for pages and server actions: session, tenant, role. */
export async function authorize(permission: TPermission): Promise<TAuthContext> {
  const ctx = await getSessionContext();
  if (!ctx) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return assertAllowed(ctx, permission);
}

/**
 * Refuses a server action that did not come from our own pages (CSRF): the Origin, or
 * without one a Referer, must be the public URL's origin. Next.js's own check compares with
 * X-Forwarded-Host and lets a request without Origin through.
 */
export async function assertSameOriginAction(): Promise<void> {
  const verdict = checkWriteOrigin({ headers: await headers(), expectedOrigin: publicOrigin() });
  if (!verdict.ok)
    throw new AppError(
      'FORBIDDEN',
      `Refused: this request did not come from Pipewright's own pages (${verdict.reason}).`,
    );
}

/** Why a cookie may not be used for this request, or null when it may (reads: not cross-site; writes: our origin). */
function cookieRefusal(request: Request): string | null {
  if (isStateChanging(request.method)) {
    const verdict = checkWriteOrigin({ headers: request.headers, expectedOrigin: publicOrigin() });
    return verdict.ok ? null : verdict.reason;
  }
  const site = request.headers.get('sec-fetch-site');
  return site === null || site === 'same-origin' || site === 'none' ? null : `the browser marked it ${site}`;
}

/**
 * The authorization helper for route handlers: a Bearer token, or the session cookie on a
 * same-origin request. Unknown, revoked and expired tokens are all "unauthenticated".
 */
export async function authorizeRequest(request: Request, permission: TPermission): Promise<TAuthContext> {
  const header = request.headers.get('authorization');
  if (header !== null) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".');
    const ctx = await resolveApiToken({ db: getDb(), token: match[1]! });
    if (!ctx) throw new AppError('UNAUTHENTICATED', 'The API token is unknown, revoked or expired.');
    // A token carries its tenant; a script that names another one is misconfigured, not asking to switch.
    const named = request.headers.get(TENANT_HEADER);
    if (named !== null && named.trim().toLowerCase() !== ctx.tenantSlug) {
      const message = `This token belongs to the tenant "${ctx.tenantSlug}", not "${named.trim()}" (Pipewright-Tenant).`;
      throw new AppError('FORBIDDEN', message);
    }
    return assertAllowed(ctx, permission);
  }
  const refusal = cookieRefusal(request);
  if (refusal !== null) {
    throw new AppError(
      'UNAUTHENTICATED',
      `Send an API token as "Authorization: Bearer <token>"; the session cookie only works from Pipewright's own pages, and ${refusal}.`,
    );
  }
  const ctx = await getSessionContext(request.headers.get(TENANT_HEADER)?.trim().toLowerCase() || undefined);
  if (!ctx) throw new AppError('UNAUTHENTICATED', 'Send an API token as "Authorization: Bearer <token>", or sign in.');
  return assertAllowed(ctx, permission);
}
