import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * The advance jobs a worker fetched and still holds (pg-boss marks them active until the
 * worker's batch is done), written with its heartbeat. A job pg-boss shows active is then
 * live only while a worker with a fresh heartbeat names it (or for a few seconds after the
 * fetch): a job fetched by a worker that died before claiming its run no longer counts as
 * "a job coming" for the 2 minutes it used to, and a job waiting in a live worker for a free
 * slot, however long, still does (so a backlog is not sent second jobs).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('workers')
    .addColumn('fetched_jobs', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'::uuid[]`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workers').dropColumn('fetched_jobs').execute();
}
