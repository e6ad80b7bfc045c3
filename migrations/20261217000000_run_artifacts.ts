import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Files steps return (SPEC §11 artifacts): bytes in a bytea column of a table of their own,
 * written by the run's fenced commit and deleted with the run (ON DELETE CASCADE). The id is
 * derived from the run, the step path and the file's place in the step's output, so a step
 * that commits again under the same path replaces its file instead of adding one.
 *
 * `data` is stored EXTERNAL (TOAST, uncompressed): `substring(data FROM x FOR n)` then reads
 * only the chunks it needs, which is what lets a download stream without loading the file.
 * `tenants.artifact_quota_bytes` caps the sum of a tenant's artifact sizes (null: the
 * server's default).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE run_artifacts (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step_id text NOT NULL,
    step_path text NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    content_type text NOT NULL CHECK (length(content_type) BETWEEN 1 AND 255),
    size bigint NOT NULL CHECK (size >= 0),
    data bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (octet_length(data) = size))`.execute(db);
  await sql`ALTER TABLE run_artifacts ALTER COLUMN data SET STORAGE EXTERNAL`.execute(db);
  await sql`CREATE INDEX run_artifacts_run_idx ON run_artifacts (run_id, created_at)`.execute(db);
  // The quota's sum reads (tenant_id, size) from the index alone.
  await sql`CREATE INDEX run_artifacts_tenant_size_idx ON run_artifacts (tenant_id) INCLUDE (size)`.execute(db);
  await sql`ALTER TABLE tenants ADD COLUMN artifact_quota_bytes bigint CHECK (artifact_quota_bytes >= 0)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tenants DROP COLUMN artifact_quota_bytes`.execute(db);
  await sql`DROP TABLE run_artifacts`.execute(db);
}
