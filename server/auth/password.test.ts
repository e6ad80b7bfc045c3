import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '@/server/auth/password';
import { verifyCredentials } from '@/server/users/verify-credentials';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';

let t: TTestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('password');
});
afterAll(async () => t.close());

describe('password hashes', () => {
  it('verify the password they were made from and nothing else', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('store the scheme and its cost parameters with a per-hash salt, so costs can be raised later', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same password');
  });

  it('do not verify once any part of the stored hash is tampered with', async () => {
    const hash = await hashPassword('correct horse battery');
    const [scheme, n, r, p, salt, key] = hash.split('$') as [string, string, string, string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const tampered = [
      [scheme, n, r, p, salt, flip(key)],
      [scheme, n, r, p, flip(salt), key],
      [scheme, String(Number(n) / 2), r, p, salt, key],
      ['bcrypt', n, r, p, salt, key],
      [scheme, n, r, p, salt],
      [scheme, n, r, p, salt, key.slice(0, 20)],
      // Parameters scrypt itself rejects must read as "wrong", not crash the sign-in.
      [scheme, 'not-a-number', r, p, salt, key],
      [scheme, '3', r, p, salt, key],
      [scheme, n, '0', p, salt, key],
    ].map((parts) => parts.join('$'));
    tampered.push('', 'scrypt', hash.slice(0, -1));
    for (const stored of tampered) {
      expect(await verifyPassword('correct horse battery', stored), stored).toBe(false);
    }
  });
});

describe('signing in with email and password (verifyCredentials)', () => {
  it('returns the user for the right password and null for a wrong one', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'right password 1' });
    const user = await verifyCredentials({ db: t.db, email: member.email, password: 'right password 1' });
    expect(user).toEqual({ id: member.userId, email: member.email, name: expect.any(String), sessionVersion: 0 });
    expect(await verifyCredentials({ db: t.db, email: member.email, password: 'wrong password 1' })).toBeNull();
  });

  it('returns null for an email nobody has', async () => {
    expect(
      await verifyCredentials({ db: t.db, email: 'nobody@example.com', password: 'whatever password' }),
    ).toBeNull();
  });

  it('accepts the email in any case and with surrounding spaces', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'right password 2' });
    const user = await verifyCredentials({
      db: t.db,
      email: `  ${member.email.toUpperCase()} `,
      password: 'right password 2',
    });
    expect(user?.id).toBe(member.userId);
  });
});
