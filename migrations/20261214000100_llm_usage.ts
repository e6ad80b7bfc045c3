import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * Tokens and cost of every LLM call a run made (SPEC §11 usage), one row per call that got an
 * answer, written by the llm.chat handler right after the answer: what the provider bills, so
 * a call made again after a crash counts again. Deleted with its run.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE llm_usage (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    workflow_key text NOT NULL,
    step_path text NOT NULL,
    model text NOT NULL,
    input_tokens integer NOT NULL CHECK (input_tokens >= 0),
    output_tokens integer NOT NULL CHECK (output_tokens >= 0),
    cost_usd double precision NOT NULL CHECK (cost_usd >= 0),
    created_at timestamptz NOT NULL DEFAULT now())`.execute(db);
  await sql`CREATE INDEX llm_usage_run_idx ON llm_usage (run_id)`.execute(db);
  await sql`CREATE INDEX llm_usage_tenant_time_idx ON llm_usage (tenant_id, created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE llm_usage`.execute(db);
}
