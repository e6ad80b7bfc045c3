import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getDb } from '@/server/db/database';
import { verifyCredentials } from '@/server/users/verify-credentials';
import { AppError } from '@/server/errors';

/** The client's address as the proxy in front of us reports it, for sign-in throttling. */
function clientAddress(headers: Record<string, unknown> | undefined): string {
  const forwarded = headers?.['x-forwarded-for'];
  const first = typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined;
  const real = headers?.['x-real-ip'];
  return first || (typeof real === 'string' ? real : '') || 'unknown';
}

const ZCredentials = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(200) });

/** next-auth configuration: email + password, stateless JWT sessions in an HTTP-only cookie. */
export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: 7 * 24 * 60 * 60 },
  pages: { signIn: '/sign-in', error: '/sign-in' },
  providers: [
    CredentialsProvider({
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials, req) {
        const parsed = ZCredentials.safeParse(credentials);
        if (!parsed.success) return null;
        try {
          const user = await verifyCredentials({ db: getDb(), ...parsed.data, ip: clientAddress(req.headers) });
          return user ? { id: user.id, email: user.email, name: user.name } : null;
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
      if (user) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      // Only the id travels in the session; tenant and role are read per request (resolveMembership).
      if (session.user && token.sub) session.user.id = token.sub;
      return session;
    },
  },
};

declare module 'next-auth' {
  interface Session {
    user?: { id?: string; name?: string | null; email?: string | null; image?: string | null };
  }
}
