import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Task escalation and notification (SPEC §10): a task keeps its `escalation` steps and how many
 * have been carried out (`escalated`), so a timer job that fires twice acts once; `notify`
 * says whether its assignees are emailed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tasks
    ADD COLUMN escalation jsonb,
    ADD COLUMN escalated integer DEFAULT 0,
    ADD COLUMN notify boolean DEFAULT false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tasks DROP COLUMN escalation, DROP COLUMN escalated, DROP COLUMN notify`.execute(db);
}
