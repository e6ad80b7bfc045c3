import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { AppError } from '@/server/errors';
import { hashPassword, verifyPassword } from '@/server/auth/password';

/** Failed sign-ins allowed per email, and per client address, within the window. */
export const SIGN_IN_LIMITS = { windowMinutes: 15, perEmail: 10, perIp: 50 } as const;

// Hashing a throwaway password when the email is unknown keeps the response time the same
// for "no such user" and "wrong password", so sign-in does not reveal who has an account.
let decoyHash: Promise<string> | null = null;

async function assertNotThrottled(db: Db, email: string, ip: string): Promise<void> {
  const row = await sql<{ by_email: number; by_ip: number }>`
    SELECT count(*) FILTER (WHERE email = ${email})::int AS by_email,
           count(*) FILTER (WHERE ip = ${ip})::int AS by_ip
      FROM sign_in_failures
     WHERE at > now() - make_interval(mins => ${SIGN_IN_LIMITS.windowMinutes}) AND (email = ${email} OR ip = ${ip})`
    .execute(db)
    .then((result) => result.rows[0]);
  if ((row?.by_email ?? 0) >= SIGN_IN_LIMITS.perEmail || (row?.by_ip ?? 0) >= SIGN_IN_LIMITS.perIp) {
    throw new AppError('RATE_LIMITED', `Too many failed sign-ins. Try again in ${SIGN_IN_LIMITS.windowMinutes} minutes.`);
  }
}

/**
 * The user whose email and password these are, or null. Failures are counted in the
 * database (so the limit holds across web processes); past the limit for the email or the
 * client address, sign-in is refused with RATE_LIMITED before any password is checked.
 */
export async function verifyCredentials({ db, email, password, ip = 'unknown' }: { db: Db; email: string; password: string; ip?: string }): Promise<{ id: string; email: string; name: string } | null> {
  const normalized = email.trim().toLowerCase();
  await assertNotThrottled(db, normalized, ip);
  const user = await db.selectFrom('users').select(['id', 'email', 'name', 'password_hash']).where('email', '=', normalized).executeTakeFirst();
  const valid = user ? await verifyPassword(password, user.password_hash) : await verifyPassword(password, await (decoyHash ??= hashPassword('decoy-password')));
  if (!user || !valid) {
    await db.insertInto('sign_in_failures').values({ email: normalized, ip }).execute();
    // Old failures are pruned as we go, so the table stays the size of one window.
    await db.deleteFrom('sign_in_failures').where('at', '<', sql<Date>`now() - interval '1 day'`).execute();
    return null;
  }
  await db.deleteFrom('sign_in_failures').where('email', '=', normalized).execute();
  return { id: user.id, email: user.email, name: user.name };
}
