import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Alerts (SPEC §8): rules per workflow or tenant-wide, what fired and when it resolved, and a
 * workflow's `paused` flag (set by a rule with pauseWorkflow or by PATCH /workflows/{key}):
 * while set, its new runs are held QUEUED.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE workflows ADD COLUMN paused boolean NOT NULL DEFAULT false`.execute(db);
  await sql`CREATE TABLE alert_rules (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    workflow_id uuid REFERENCES workflows(id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('failureRate', 'stuck', 'queueAge')),
    threshold double precision CHECK (threshold BETWEEN 0 AND 1),
    window_ms bigint CHECK (window_ms > 0),
    min_runs integer CHECK (min_runs > 0),
    after_ms bigint CHECK (after_ms > 0),
    webhook_url text,
    email text,
    signing_secret text NOT NULL,
    pause_workflow boolean NOT NULL DEFAULT false,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (webhook_url IS NOT NULL OR email IS NOT NULL))`.execute(db);
  await sql`CREATE INDEX alert_rules_tenant_idx ON alert_rules (tenant_id, created_at)`.execute(db);
  await sql`CREATE TABLE alert_firings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    rule_id uuid NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
    fired_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    summary text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}',
    delivery jsonb NOT NULL DEFAULT '{}')`.execute(db);
  await sql`CREATE INDEX alert_firings_rule_idx ON alert_firings (rule_id, fired_at DESC)`.execute(db);
  await sql`CREATE INDEX alert_firings_tenant_idx ON alert_firings (tenant_id, fired_at DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE alert_firings`.execute(db);
  await sql`DROP TABLE alert_rules`.execute(db);
  await sql`ALTER TABLE workflows DROP COLUMN paused`.execute(db);
}
