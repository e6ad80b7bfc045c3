import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TTestDatabase } from '@/test/database';

/**
 * A durable step's commit under a held lease writes these columns of `runs` and no other
 * (commit-batch.ts: no status change, no release). An update can be HOT (no index entries, the
 * new row version on its page) only while none of them is in an index, a key, an expression or
 * a partial index's predicate: an index on one of them puts back a write into every index of
 * runs on every step (issue #16).
 */
const WRITTEN_UNDER_THE_LEASE = ['execution', 'event_seq', 'progressed_at', 'recoveries'];

let t: TTestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('runs_hot_columns');
});
afterAll(async () => {
  await t.close();
});

it('no index of runs covers a column that a commit under the lease writes, and runs leaves room for HOT updates', async () => {
  const indexes = await sql<{ name: string; definition: string }>`
    SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = 'runs'::regclass`.execute(t.db);
  expect(indexes.rows.length).toBeGreaterThan(10);
  const offending = indexes.rows.flatMap((index) =>
    WRITTEN_UNDER_THE_LEASE.filter((column) => new RegExp(`\\b${column}\\b`).test(index.definition)).map(
      (column) => `${index.name}: ${column}`,
    ),
  );
  expect(offending).toEqual([]);
  // updated_at is in indexes (the reaper's looks): that is why a commit under the lease leaves it.
  expect(indexes.rows.some((index) => /\bupdated_at\b/.test(index.definition))).toBe(true);
  const options = await sql<{
    options: string[] | null;
  }>`SELECT reloptions AS options FROM pg_class WHERE oid = 'runs'::regclass`.execute(t.db);
  expect(options.rows[0]!.options).toContain('fillfactor=70');
});
