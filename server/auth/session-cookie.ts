import 'server-only';
import { servedOverHttps } from '@/server/security/public-origin';

/** How long a session lasts without being used (next-auth rolls it forward on use). */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

/**
 * The session cookie as next-auth names and sets it: `__Secure-` and `Secure` when the app is
 * served over https (NEXTAUTH_URL), HTTP-only, SameSite=Lax. Declared here once so that the
 * cookie re-issued after a password change is the very cookie next-auth reads.
 */
export function sessionCookie(): {
  name: string;
  options: { httpOnly: true; sameSite: 'lax'; path: '/'; secure: boolean };
} {
  const secure = servedOverHttps();
  return {
    name: `${secure ? '__Secure-' : ''}next-auth.session-token`,
    options: { httpOnly: true, sameSite: 'lax', path: '/', secure },
  };
}
