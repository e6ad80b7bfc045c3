import { getServerSession } from 'next-auth';
import { cookies } from 'next/headers';
import { authOptions } from '@/server/auth/auth-options';
import type { TAuthContext } from '@/server/auth/context';
import type { TPermission } from '@/server/auth/roles';
import { assertAllowed } from '@/server/auth/assert-allowed';

export { assertAllowed };
import { resolveMembership } from '@/server/auth/resolve-membership';
import { getDb } from '@/server/db/database';
import { AppError } from '@/server/errors';
import { resolveApiToken } from '@/server/tokens/resolve-api-token';

export const TENANT_COOKIE = 'pw_tenant';

/** The signed-in person's context from the session cookie, or null. */
export async function getSessionContext(): Promise<TAuthContext | null> {
  const session = await getServerSession(authOptions);
  const userId = session?.user?.id;
  if (!userId) return null;
  const tenantSlug = (await cookies()).get(TENANT_COOKIE)?.value;
  return resolveMembership({ db: getDb(), userId, sessionVersion: session.user?.sessionVersion ?? null, tenantSlug });
}

/** The one authorization helper for pages and server actions: session, tenant, role. */
export async function authorize(permission: TPermission): Promise<TAuthContext> {
  const ctx = await getSessionContext();
  if (!ctx) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return assertAllowed(ctx, permission);
}

function isSameOriginRequest(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  const method = request.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return site === null || site === 'same-origin' || site === 'none';
  // A state change with a cookie must prove it came from our own pages (CSRF).
  if (site === 'same-origin') return true;
  const origin = request.headers.get('origin');
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  // Browsers send `Origin: null` from sandboxed frames and some redirects: never same-origin.
  return origin !== null && host !== null && URL.canParse(origin) && new URL(origin).host === host;
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
    return assertAllowed(ctx, permission);
  }
  if (!isSameOriginRequest(request)) throw new AppError('UNAUTHENTICATED', 'Send an API token as "Authorization: Bearer <token>".');
  const ctx = await getSessionContext();
  if (!ctx) throw new AppError('UNAUTHENTICATED', 'Send an API token as "Authorization: Bearer <token>", or sign in.');
  return assertAllowed(ctx, permission);
}
