import type { Db } from '@/server/db/database';
import { hashPassword, verifyPassword } from '@/server/auth/password';

// Hashing a throwaway password when the email is unknown keeps the response time the same
// for "no such user" and "wrong password", so sign-in does not reveal who has an account.
let decoyHash: Promise<string> | null = null;

/** The user whose email and password these are, or null. */
export async function verifyCredentials({ db, email, password }: { db: Db; email: string; password: string }): Promise<{ id: string; email: string; name: string } | null> {
  const user = await db.selectFrom('users').select(['id', 'email', 'name', 'password_hash']).where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  if (!user) {
    decoyHash ??= hashPassword('decoy-password');
    await verifyPassword(password, await decoyHash);
    return null;
  }
  return (await verifyPassword(password, user.password_hash)) ? { id: user.id, email: user.email, name: user.name } : null;
}
