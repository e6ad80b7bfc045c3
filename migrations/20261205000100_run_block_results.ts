import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app.

/**
 * SPEC §7.8: a forEach iteration's result (or its failure, with onItemError continue) is stored
 * once, as a row of its own, by the fenced commit that records the iteration's end. It used to
 * live inside `runs.execution`, which every commit rewrites whole: a loop of N calls wrote
 * O(N²) bytes. `block_path` is the forEach step's path, iteration indexes of enclosing loops
 * included (`steps[0]#3.config.steps[1]`). The rows of a block are read back when it finishes
 * and deleted by the commit that records its end.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('run_block_results')
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('block_path', 'text', (c) => c.notNull())
    .addColumn('item_index', 'integer', (c) => c.notNull())
    .addColumn('result', 'jsonb')
    .addColumn('failure', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('run_block_results_pkey', ['run_id', 'block_path', 'item_index'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('run_block_results').execute();
}
