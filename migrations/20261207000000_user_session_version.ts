import type { Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Sessions are stateless JWTs that live 7 days; to end them early (sign-out, a password
 * change, removal from a tenant) each carries the version of its person's sessions it was
 * issued under, and every request compares it with this column. Moving it on ends them all.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('session_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('session_version').execute();
}
