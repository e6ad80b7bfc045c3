import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * The runs held QUEUED by admission (claimed before, handed back: no lease), by workflow and
 * age. The reaper walks the workflows that have such runs (a loose scan, one probe each) and
 * sends each as many of its oldest held runs as it has free slots; runs_queued_idx also holds
 * every QUEUED run never claimed (a backlog's first jobs), which that walk would read through.
 * `fence` and `lease_owner` change only at a claim or a release, which already write index
 * entries (lease_owner is in two predicates), so a commit under the lease stays HOT.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX runs_held_idx ON runs (workflow_id, created_at) WHERE status = 'QUEUED' AND fence > 0 AND lease_owner IS NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX runs_held_idx`.execute(db);
}
