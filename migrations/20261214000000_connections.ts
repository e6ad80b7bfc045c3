import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Connections (SPEC §11): named, typed credentials per tenant. `config` is what may be shown
 * (secret fields left out); the whole config, secrets included, is sealed like a secret
 * (AES-256-GCM, tenant and `connection:<name>` as associated data) in ciphertext/iv/auth_tag.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE connections (
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name text NOT NULL,
    type text NOT NULL CHECK (type IN ('http', 'smtp', 'postgres', 'openai', 'mcp')),
    description text NOT NULL DEFAULT '',
    config jsonb NOT NULL,
    secret_fields text[] NOT NULL DEFAULT '{}',
    ciphertext bytea NOT NULL,
    iv bytea NOT NULL,
    auth_tag bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE connections`.execute(db);
}
