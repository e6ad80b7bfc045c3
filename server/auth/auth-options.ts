import 'server-only';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getDb } from '@/server/db/database';
import { verifyCredentials } from '@/server/users/verify-credentials';
import { endUserSessions } from '@/server/users/end-user-sessions';
import { AppError } from '@/model/errors';
import { SESSION_MAX_AGE_SECONDS, sessionCookie } from '@/server/auth/session-cookie';
import { clientAddress, configuredTrustProxy } from '@/server/security/client-address';
import { publicBaseUrl, servedOverHttps } from '@/server/security/public-origin';
import { sameOriginPath } from '@/components/auth/safe-callback-url';

const ZCredentials = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(200) });

/** next-auth configuration: email + password, stateless JWT sessions in an HTTP-only cookie. */
export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: '/sign-in', error: '/sign-in' },
  useSecureCookies: servedOverHttps(),
  cookies: { sessionToken: sessionCookie() },
  providers: [
    CredentialsProvider({
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials, req) {
        const parsed = ZCredentials.safeParse(credentials);
        if (!parsed.success) return null;
        try {
          const ip = clientAddress({ headers: req.headers, trustProxy: configuredTrustProxy() });
          const user = await verifyCredentials({ db: getDb(), ...parsed.data, ip });
          return user ? { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } : null;
        } catch (error) {
          // next-auth hands a thrown message to the sign-in form as `error`; only our own
          // RATE_LIMITED text is meant for people, anything else stays generic.
          if (error instanceof AppError && error.code === 'RATE_LIMITED') throw new Error(error.message);
          throw error;
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.sv = user.sessionVersion;
      }
      return token;
    },
    session({ session, token }) {
      // Only the id and the session version travel in the session; tenant and role are read
      // per request, and the version is checked against the user row (getSessionContext).
      if (session.user && token.sub) {
        session.user.id = token.sub;
        session.user.sessionVersion = typeof token.sv === 'number' ? token.sv : undefined;
      }
      return session;
    },
    // Where next-auth itself sends people (after sign-out): our own paths only, judged the way
    // the sign-in page judges its callbackUrl (the sign-in page itself included).
    redirect({ url }) {
      const base = publicBaseUrl();
      const path = url.startsWith(base) ? url.slice(base.length) || '/' : url;
      return `${base}${sameOriginPath(path) ?? '/overview'}`;
    },
  },
  events: {
    // Signing out ends the person's sessions everywhere, so a copy of this cookie taken
    // before the sign-out stops working too (the cookie itself lives 7 days).
    async signOut({ token }) {
      if (token?.sub && typeof token.sv === 'number')
        await endUserSessions({ db: getDb(), userId: token.sub, sessionVersion: token.sv });
    },
  },
};

declare module 'next-auth' {
  interface Session {
    user?: { id?: string; name?: string | null; email?: string | null; image?: string | null; sessionVersion?: number };
  }
  interface User {
    sessionVersion?: number;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    /** The session version the token was issued under (users.session_version). */
    sv?: number;
  }
}
