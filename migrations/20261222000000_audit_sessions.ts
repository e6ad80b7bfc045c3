import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * The audit log folds a person's autosaves of one workflow into one row per editing session
 * (issue #18). Listing a page asks, for each draft save shown, whether a later save of the
 * same session follows and how far back the session reaches; this partial index answers each
 * of those probes from the few rows of that actor on that workflow instead of the tenant's log.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX audit_log_draft_sessions_idx
    ON audit_log (tenant_id, target_type, target_id, (coalesce(actor_id, actor_label)), id)
    WHERE action = 'workflow.draft_saved'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS audit_log_draft_sessions_idx`.execute(db);
}
