import { sql } from 'kysely';
import type { Db } from '@/server/db/database';

/**
 * BENCH_DURABLE_HISTORY=N: N step records (with their snapshots) of earlier 40-step runs, as a
 * server that has run for a while holds, written before the measured runs so their index
 * entries land in indexes of that size. Ids random (gen_random_uuid, as step records had until
 * they became time-ordered); the runs are only named (history rows have no foreign keys).
 */
export async function prefillStepHistory(db: Db, { tenantId, records }: { tenantId: string; records: number }) {
  await sql`
    INSERT INTO run_steps (id, run_id, tenant_id, step_id, path, type, attempt, status, input, output, started_at, completed_at, duration_ms)
    SELECT gen_random_uuid(), md5('history-run-' || (g / 40))::uuid, ${tenantId}, 'call' || (g % 40), 'steps[' || (g % 40) || ']',
           'action.call', 1, 'SUCCEEDED', '{"method":"POST","url":"http://127.0.0.1/hook"}', '{"status":200,"body":{"ok":true}}',
           now() - make_interval(secs => ${records} - g), now() - make_interval(secs => ${records} - g), 1
      FROM generate_series(1, ${records}) g`.execute(db);
  await sql`
    INSERT INTO run_snapshots (step_record_id, run_id, tenant_id, path, snapshot, size_bytes)
    SELECT id, run_id, tenant_id, path, '{"vars":{}}', 11 FROM run_steps WHERE tenant_id = ${tenantId}`.execute(db);
  await sql`VACUUM ANALYZE run_steps, run_snapshots`.execute(db);
}
