import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/** Traces (SPEC §8): the watermark of ended runs already exported over OTLP, one exporter at a time. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE trace_export (
    id integer PRIMARY KEY CHECK (id = 1),
    watermark timestamptz NOT NULL,
    exported_at timestamptz NOT NULL DEFAULT now())`.execute(db);
  await sql`INSERT INTO trace_export (id, watermark) VALUES (1, now())`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE trace_export`.execute(db);
}
