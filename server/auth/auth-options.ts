import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getDb } from '@/server/db/database';
import { verifyCredentials } from '@/server/users/verify-credentials';

const ZCredentials = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(200) });

/** next-auth configuration: email + password, stateless JWT sessions in an HTTP-only cookie. */
export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: 7 * 24 * 60 * 60 },
  pages: { signIn: '/sign-in', error: '/sign-in' },
  providers: [
    CredentialsProvider({
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials) {
        const parsed = ZCredentials.safeParse(credentials);
        if (!parsed.success) return null;
        const user = await verifyCredentials({ db: getDb(), ...parsed.data });
        return user ? { id: user.id, email: user.email, name: user.name } : null;
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
