import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { hashPassword, verifyPassword } from '@/server/auth/password';

/**
 * Sign-in throttling. Failures are counted per (email, client address): after
 * `freeFailures` of them that pair waits `baseBackoffMs`, doubling with each further failure
 * up to `maxBackoffMs`, so one address gets about a hundred guesses a day at one account. An
 * address failing across many accounts (password spraying) is refused outright past `perIp`
 * in the window. No limit is per account alone: that would let anyone lock a person out by
 * failing against their email, which the right password from another address must survive.
 */
export const SIGN_IN_LIMITS = {
  freeFailures: 5,
  baseBackoffMs: 1_000,
  maxBackoffMs: 15 * 60_000,
  /** How long a pair's failures count towards its backoff (the table is pruned at this age). */
  pairMemoryHours: 24,
  windowMinutes: 15,
  perIp: 50,
} as const;

/** How long an (email, address) pair waits after its `failures`-th failure in a row. */
export function signInBackoffMs(failures: number): number {
  if (failures < SIGN_IN_LIMITS.freeFailures) return 0;
  return Math.min(
    SIGN_IN_LIMITS.baseBackoffMs * 2 ** (failures - SIGN_IN_LIMITS.freeFailures),
    SIGN_IN_LIMITS.maxBackoffMs,
  );
}

// Hashing a throwaway password when the email is unknown keeps the response time the same
// for "no such user" and "wrong password", so sign-in does not reveal who has an account.
let decoyHash: Promise<string> | null = null;

function refuse(waitMs: number): never {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const wait = seconds < 120 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`;
  throw new AppError('RATE_LIMITED', `Too many failed sign-ins. Try again in ${wait}.`);
}

async function assertNotThrottled(db: Db, email: string, ip: string): Promise<void> {
  const row = await sql<{ pair_failures: number; pair_since_ms: number; ip_failures: number; ip_wait_ms: number }>`
    SELECT count(*) FILTER (WHERE email = ${email})::int AS pair_failures,
           coalesce(extract(epoch FROM (now() - max(at) FILTER (WHERE email = ${email}))) * 1000, 0)::float8 AS pair_since_ms,
           count(*) FILTER (WHERE at > now() - make_interval(mins => ${SIGN_IN_LIMITS.windowMinutes}))::int AS ip_failures,
           coalesce(extract(epoch FROM (min(at) FILTER (WHERE at > now() - make_interval(mins => ${SIGN_IN_LIMITS.windowMinutes}))
                    + make_interval(mins => ${SIGN_IN_LIMITS.windowMinutes}) - now())) * 1000, 0)::float8 AS ip_wait_ms
      FROM sign_in_failures
     WHERE ip = ${ip} AND at > now() - make_interval(hours => ${SIGN_IN_LIMITS.pairMemoryHours})`
    .execute(db)
    .then((result) => result.rows[0]);
  if (!row) return;
  if (row.ip_failures >= SIGN_IN_LIMITS.perIp) refuse(row.ip_wait_ms);
  const left = signInBackoffMs(row.pair_failures) - row.pair_since_ms;
  if (left > 0) refuse(left);
}

/**
 * The user whose email and password these are, or null. Failures are counted in the
 * database (so the limits hold across web processes); a throttled (email, address) pair or
 * address is refused with RATE_LIMITED, saying how long to wait, before any password is
 * checked, so the refusal says nothing about whether the password was right.
 */
export async function verifyCredentials({
  db,
  email,
  password,
  ip = 'unknown',
}: {
  db: Db;
  email: string;
  password: string;
  ip?: string;
}): Promise<{
  id: string;
  email: string;
  name: string;
  sessionVersion: number;
} | null> {
  const normalized = email.trim().toLowerCase();
  await assertNotThrottled(db, normalized, ip);
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'password_hash', 'session_version'])
    .where('email', '=', normalized)
    .executeTakeFirst();
  const valid = user
    ? await verifyPassword(password, user.password_hash)
    : await verifyPassword(password, await (decoyHash ??= hashPassword('decoy-password')));
  if (!user || !valid) {
    await db.insertInto('sign_in_failures').values({ email: normalized, ip }).execute();
    // Old failures are pruned as we go, so the table stays the size of a day's failures.
    await db
      .deleteFrom('sign_in_failures')
      .where('at', '<', sql<Date>`now() - make_interval(hours => ${SIGN_IN_LIMITS.pairMemoryHours})`)
      .execute();
    return null;
  }
  // Only this pair's failures are forgiven: a success here must not reset the backoff of
  // someone guessing at this account from elsewhere.
  await db.deleteFrom('sign_in_failures').where('email', '=', normalized).where('ip', '=', ip).execute();
  return { id: user.id, email: user.email, name: user.name, sessionVersion: user.session_version };
}
