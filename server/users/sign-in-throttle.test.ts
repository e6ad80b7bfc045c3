import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_LIMITS, verifyCredentials } from '@/server/users/verify-credentials';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { AppError } from '@/server/errors';

let t: TTestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('throttle');
});
afterAll(async () => t.close());

describe('sign-in throttling', () => {
  it('refuses an email after too many failures, even with the right password, and names the wait', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'the right password' });
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail; i++) {
      expect(await verifyCredentials({ db: t.db, email: member.email, password: `guess ${i}`, ip: `10.0.0.${i}` })).toBeNull();
    }
    const attempt = verifyCredentials({ db: t.db, email: member.email, password: 'the right password', ip: '10.0.1.1' });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining(`${SIGN_IN_LIMITS.windowMinutes} minutes`) });
  });

  it('refuses an address that fails across many emails, and leaves other addresses alone', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'another right one' });
    // One real failure shows failures are recorded per address; the rest are seeded, since
    // each real attempt costs a full scrypt verification.
    await verifyCredentials({ db: t.db, email: 'nobody@example.com', password: 'x', ip: '203.0.113.7' });
    const recorded = await t.db.selectFrom('sign_in_failures').select('email').where('ip', '=', '203.0.113.7').execute();
    expect(recorded.map((r) => r.email)).toEqual(['nobody@example.com']);
    await t.db
      .insertInto('sign_in_failures')
      .values(Array.from({ length: SIGN_IN_LIMITS.perIp - 1 }, (_, i) => ({ email: `nobody${i}@example.com`, ip: '203.0.113.7' })))
      .execute();
    await expect(verifyCredentials({ db: t.db, email: member.email, password: 'another right one', ip: '203.0.113.7' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect((await verifyCredentials({ db: t.db, email: member.email, password: 'another right one', ip: '203.0.113.8' }))?.email).toBe(member.email);
  });

  it('forgets earlier failures of an email after a successful sign-in', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'third right one' });
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail - 1; i++) await verifyCredentials({ db: t.db, email: member.email, password: 'nope', ip: '198.51.100.1' });
    expect(await verifyCredentials({ db: t.db, email: member.email, password: 'third right one', ip: '198.51.100.2' })).not.toBeNull();
    const left = await t.db.selectFrom('sign_in_failures').select('id').where('email', '=', member.email).execute();
    expect(left).toHaveLength(0);
  });
});
