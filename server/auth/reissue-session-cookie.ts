import 'server-only';
import { cookies } from 'next/headers';
import { decode, encode } from 'next-auth/jwt';
import { SESSION_MAX_AGE_SECONDS, sessionCookie } from '@/server/auth/session-cookie';
import { AppError } from '@/model/errors';

/**
 * Re-issues the current request's session cookie under a new session version: after a
 * password change has ended every session of the person, the one that made the change goes
 * on. Only for server actions (a page render cannot set cookies).
 */
export async function reissueSessionCookie({ sessionVersion }: { sessionVersion: number }): Promise<void> {
  const secret = process.env.NEXTAUTH_SECRET;
  if (!secret) throw new AppError('CONFIG', 'NEXTAUTH_SECRET is not set.');
  const { name, options } = sessionCookie();
  const store = await cookies();
  const current = store.get(name)?.value;
  const token = current ? await decode({ token: current, secret }) : null;
  // The request was authorized with this very cookie a moment ago; without it there is no
  // session to carry on, and the person simply signs in again with the new password.
  if (!token) return;
  const value = await encode({ token: { ...token, sv: sessionVersion }, secret, maxAge: SESSION_MAX_AGE_SECONDS });
  store.set(name, value, { ...options, maxAge: SESSION_MAX_AGE_SECONDS });
}
