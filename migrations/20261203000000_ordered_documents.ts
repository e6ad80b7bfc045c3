import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Documents whose key order people see are stored as `json`, not `jsonb`. `jsonb` re-sorts
 * object keys (shorter first, then bytewise), so a parameter schema's or a task form's
 * `properties` came back in a different order than the author wrote them, and the generated
 * run and task forms showed their fields shuffled. `json` keeps the text as written. Nothing
 * queries inside these two columns, so no operator or index is lost. Rows stored before this
 * migration keep the order jsonb gave them; saving the draft again restores the author's order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE workflow_versions ALTER COLUMN document TYPE json USING document::json`.execute(db);
  await sql`ALTER TABLE tasks ALTER COLUMN form TYPE json USING form::json`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tasks ALTER COLUMN form TYPE jsonb USING form::jsonb`.execute(db);
  await sql`ALTER TABLE workflow_versions ALTER COLUMN document TYPE jsonb USING document::jsonb`.execute(db);
}
