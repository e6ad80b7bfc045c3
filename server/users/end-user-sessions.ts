import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

/**
 * Ends every session of a person by moving their session version on (signing out ends the
 * person's sessions everywhere: a copied cookie must not outlive the sign-out). Only a session
 * that is still current may do it, so replaying the sign-out of an old cookie cannot sign the
 * person out of the sessions they opened since. Returns whether the sessions were ended.
 */
export async function endUserSessions({
  db,
  userId,
  sessionVersion,
}: {
  db: Db;
  userId: string;
  sessionVersion: number;
}): Promise<boolean> {
  const updated = await db
    .updateTable('users')
    .set({ session_version: sql`session_version + 1`, updated_at: sql`now()` })
    .where('id', '=', userId)
    .where('session_version', '=', sessionVersion)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}
