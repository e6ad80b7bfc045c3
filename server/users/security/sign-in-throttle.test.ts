import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { signInBackoffMs, SIGN_IN_LIMITS, verifyCredentials } from '@/server/users/verify-credentials';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';

// Issue #15, item 8: failures are counted per (account, address) with a growing wait, so
// nobody can lock someone else out by failing against their account from elsewhere.

let t: TTestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('throttle_pairs');
});
afterAll(async () => t.close());

/** Seeds failures as if they happened `agoMs` ago (each real attempt costs a full scrypt). */
async function seedFailures(email: string, ip: string, count: number, agoMs = 0): Promise<void> {
  await t.db
    .insertInto('sign_in_failures')
    .values(
      Array.from({ length: count }, () => ({
        email,
        ip,
        at: sql<Date>`now() - make_interval(secs => ${agoMs / 1000})`,
      })),
    )
    .execute();
}

describe('sign-in throttling per account and address', () => {
  it('lets the right password in from another address however often one address failed', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'the right password' });
    await seedFailures(member.email, '203.0.113.66', 40);
    const user = await verifyCredentials({
      db: t.db,
      email: member.email,
      password: 'the right password',
      ip: '198.51.100.20',
    });
    expect(user?.email).toBe(member.email);
  });

  it('makes the failing address wait, longer after each further failure, and says how long', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'another right one' });
    const ip = '203.0.113.9';
    for (let i = 0; i < SIGN_IN_LIMITS.freeFailures; i++) {
      expect(await verifyCredentials({ db: t.db, email: member.email, password: `guess ${i}`, ip })).toBeNull();
    }
    // Even the right password waits: the wait must not tell a guesser which guess was right.
    await expect(
      verifyCredentials({ db: t.db, email: member.email, password: 'another right one', ip }),
    ).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/^Too many failed sign-ins\. Try again in \d+ seconds?\.$/),
    });
    expect(signInBackoffMs(SIGN_IN_LIMITS.freeFailures)).toBeGreaterThan(0);
    expect(signInBackoffMs(SIGN_IN_LIMITS.freeFailures + 1)).toBe(2 * signInBackoffMs(SIGN_IN_LIMITS.freeFailures));
    expect(signInBackoffMs(SIGN_IN_LIMITS.freeFailures + 40)).toBe(SIGN_IN_LIMITS.maxBackoffMs);
    expect(signInBackoffMs(SIGN_IN_LIMITS.freeFailures - 1)).toBe(0);
  });

  it('lets the address try again once its wait is over', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'third right one' });
    const ip = '203.0.113.10';
    const failures = SIGN_IN_LIMITS.freeFailures + 2;
    await seedFailures(member.email, ip, failures, signInBackoffMs(failures) + 1_000);
    expect((await verifyCredentials({ db: t.db, email: member.email, password: 'third right one', ip }))?.email).toBe(
      member.email,
    );
  });

  it('still refuses an address that fails across many accounts, and leaves other addresses alone', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'fourth right one' });
    await t.db
      .insertInto('sign_in_failures')
      .values(
        Array.from({ length: SIGN_IN_LIMITS.perIp }, (_, i) => ({
          email: `sprayed${i}@example.com`,
          ip: '203.0.113.77',
        })),
      )
      .execute();
    await expect(
      verifyCredentials({ db: t.db, email: member.email, password: 'fourth right one', ip: '203.0.113.77' }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(
      (await verifyCredentials({ db: t.db, email: member.email, password: 'fourth right one', ip: '203.0.113.78' }))
        ?.email,
    ).toBe(member.email);
  });

  it('forgets the failures of that account and address on success, not those of other addresses', async () => {
    const member = await createTenantWithMember({ db: t.db, password: 'fifth right one' });
    await seedFailures(member.email, '198.51.100.1', 2);
    await seedFailures(member.email, '198.51.100.99', 3);
    expect(
      await verifyCredentials({ db: t.db, email: member.email, password: 'fifth right one', ip: '198.51.100.1' }),
    ).not.toBeNull();
    const left = await t.db.selectFrom('sign_in_failures').select('ip').where('email', '=', member.email).execute();
    expect(left.map((row) => row.ip)).toEqual(['198.51.100.99', '198.51.100.99', '198.51.100.99']);
  });
});
