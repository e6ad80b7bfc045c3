import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * `runs_queued_idx` (QUEUED runs by workflow id and age) took an entry from every run twice, at
 * its insert and at its claim (a non-HOT update: the lease columns are indexed), for readers
 * that other indexes serve: the held-run looks go through `runs_held_idx` and `runs_leased_idx`,
 * and the two left (a resumed workflow's held runs, the alerts' oldest queued run of a
 * workflow) now name the workflow's tenant and key, which `runs_tenant_workflow_status_created_idx`
 * orders by age within status. A workflow's deletion cascades through `runs_workflow_created_idx`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS runs_queued_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS runs_queued_idx ON runs (workflow_id, created_at) WHERE status = 'QUEUED'`.execute(
    db,
  );
}
