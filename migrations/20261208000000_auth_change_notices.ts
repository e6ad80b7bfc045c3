import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Auth notices: a statement that revokes a token, changes or removes a membership, or changes a
 * tenant NOTIFYs `pipewright_auth_changed`, so web processes drop the tokens they verified in
 * the last few seconds (their token cache) as soon as that change commits. A trigger rather
 * than a call in each writer: a writer added later (or a hand-run UPDATE) cannot forget it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION pipewright_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('pipewright_auth_changed', TG_TABLE_NAME);
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER api_tokens_auth_changed AFTER UPDATE OF revoked_at, expires_at, role, user_id, tenant_id, token_hash OR DELETE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION pipewright_auth_changed()`.execute(db);
  await sql`CREATE TRIGGER memberships_auth_changed AFTER UPDATE OR DELETE ON memberships FOR EACH STATEMENT EXECUTE FUNCTION pipewright_auth_changed()`.execute(db);
  await sql`CREATE TRIGGER tenants_auth_changed AFTER UPDATE OR DELETE ON tenants FOR EACH STATEMENT EXECUTE FUNCTION pipewright_auth_changed()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER tenants_auth_changed ON tenants`.execute(db);
  await sql`DROP TRIGGER memberships_auth_changed ON memberships`.execute(db);
  await sql`DROP TRIGGER api_tokens_auth_changed ON api_tokens`.execute(db);
  await sql`DROP FUNCTION pipewright_auth_changed()`.execute(db);
}
