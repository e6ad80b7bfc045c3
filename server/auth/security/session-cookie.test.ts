import { afterEach, describe, expect, it } from 'vitest';
import { sessionCookie } from '@/server/auth/session-cookie';
import { pageContentSecurityPolicy } from '@/server/security/content-security-policy';

// Issue #15, item 3: cookies are Secure (and __Secure- prefixed) when the app is served over
// https, which NEXTAUTH_URL, the public URL, says; the page policy then upgrades requests.
const before = process.env.NEXTAUTH_URL;
afterEach(() => {
  if (before === undefined) delete process.env.NEXTAUTH_URL;
  else process.env.NEXTAUTH_URL = before;
});

describe('cookies and policy follow the public URL', () => {
  it('marks the session cookie Secure over https only', () => {
    process.env.NEXTAUTH_URL = 'https://pipewright.example.com';
    expect(sessionCookie()).toEqual({
      name: '__Secure-next-auth.session-token',
      options: { httpOnly: true, sameSite: 'lax', path: '/', secure: true },
    });
    process.env.NEXTAUTH_URL = 'http://localhost:3000';
    expect(sessionCookie()).toEqual({
      name: 'next-auth.session-token',
      options: { httpOnly: true, sameSite: 'lax', path: '/', secure: false },
    });
  });

  it('has no unsafe script sources outside development, and upgrades insecure requests over https', () => {
    const production = pageContentSecurityPolicy({ nonce: 'abc', development: false, https: true });
    expect(production).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic';");
    expect(production).not.toContain('unsafe-eval');
    expect(production).toContain('upgrade-insecure-requests');
    expect(pageContentSecurityPolicy({ nonce: 'abc', development: true, https: false })).toContain("'unsafe-eval'");
  });
});
