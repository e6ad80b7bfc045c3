import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createDb, type Db } from '@/server/db/database';
import {
  MAX_NAMED_STATEMENTS_PER_CONNECTION,
  NAMED_STATEMENT_MARK,
  installNamedStatements,
} from '@/server/db/named-statements';
import { createTestDatabase, type TTestDatabase } from '@/test/database';

let t: TTestDatabase;
let client: pg.Client;
beforeAll(async () => {
  t = await createTestDatabase('named_statements');
  await sql`CREATE TABLE named_probe (id int PRIMARY KEY, label text NOT NULL)`.execute(t.db);
  await sql`INSERT INTO named_probe VALUES (1, 'one'), (2, 'two')`.execute(t.db);
});
afterEach(async () => {
  delete process.env.PIPEWRIGHT_PREPARED_STATEMENTS;
  await client?.end();
});
afterAll(async () => {
  await t.close();
});

async function connect(): Promise<pg.Client> {
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
  installNamedStatements(client);
  return client;
}

const marked = `${NAMED_STATEMENT_MARK} SELECT label FROM named_probe WHERE id = $1`;

/** The statements this connection has prepared (PostgreSQL's own view of its session). */
async function prepared(c: pg.Client): Promise<string[]> {
  // A plain text is sent unnamed, so this look does not add to what it lists.
  const rows = await c.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');
  return rows.rows.map((r) => r.name);
}

it('sends a marked statement as one prepared statement per connection and text, and an unmarked one unnamed', async () => {
  const c = await connect();
  expect((await c.query(marked, [1])).rows).toEqual([{ label: 'one' }]);
  expect((await c.query(marked, [2])).rows).toEqual([{ label: 'two' }]);
  await c.query('SELECT label FROM named_probe WHERE id = $1', [1]);
  const names = await prepared(c);
  expect(names).toHaveLength(1);
  expect(names[0]).toMatch(/^pw0_[0-9a-f]{20}$/);
  // PostgreSQL counts how often the prepared form ran: both calls reused it.
  const used = await c.query<{ n: string }>(
    'SELECT (generic_plans + custom_plans)::text AS n FROM pg_prepared_statements WHERE name = $1',
    [names[0]],
  );
  expect(Number(used.rows[0]!.n)).toBe(2);

  // A new connection (a reconnect) prepares it again on first use.
  await c.end();
  const again = await connect();
  expect(await prepared(again)).toEqual([]);
  expect((await again.query(marked, [2])).rows).toEqual([{ label: 'two' }]);
  expect(await prepared(again)).toEqual(names);
});

it('prepares again and answers when a schema change makes the prepared form stale, outside a transaction', async () => {
  const c = await connect();
  const text = `${NAMED_STATEMENT_MARK} SELECT id, label FROM named_probe WHERE id = $1`;
  expect((await c.query(text, [1])).rows).toEqual([{ id: 1, label: 'one' }]);
  // What the statement returns changes type: PostgreSQL refuses the cached plan (0A000).
  await sql`ALTER TABLE named_probe ALTER COLUMN id TYPE bigint`.execute(t.db);
  const after = await c.query(text, [1]);
  expect(after.rows).toEqual([{ id: '1', label: 'one' }]);
  expect((await prepared(c)).some((name) => name.startsWith('pw1_'))).toBe(true);
  await sql`ALTER TABLE named_probe ALTER COLUMN id TYPE int`.execute(t.db);
});

it('inside a transaction leaves the stale error to the caller, and the next call prepares anew', async () => {
  const c = await connect();
  const text = `${NAMED_STATEMENT_MARK} SELECT label FROM named_probe WHERE id = $1`;
  await c.query(text, [1]);
  await sql`ALTER TABLE named_probe ALTER COLUMN label TYPE varchar(20)`.execute(t.db);
  await c.query('BEGIN');
  await expect(c.query(text, [1])).rejects.toMatchObject({ code: '0A000' });
  await c.query('ROLLBACK');
  expect((await c.query(text, [1])).rows).toEqual([{ label: 'one' }]);
  await sql`ALTER TABLE named_probe ALTER COLUMN label TYPE text`.execute(t.db);
});

it('prepares again when the server forgot the statement (DISCARD ALL, as a pooler does)', async () => {
  const c = await connect();
  await c.query(marked, [1]);
  await c.query('DISCARD ALL');
  expect((await c.query(marked, [2])).rows).toEqual([{ label: 'two' }]);
  expect(await prepared(c)).toHaveLength(1);
});

it('sends texts past the per-connection cap unnamed, and none named when switched off', async () => {
  const c = await connect();
  for (let i = 0; i < MAX_NAMED_STATEMENTS_PER_CONNECTION + 5; i++) {
    expect((await c.query(`${NAMED_STATEMENT_MARK} SELECT ${i}::int AS i`)).rows).toEqual([{ i }]);
  }
  expect(await prepared(c)).toHaveLength(MAX_NAMED_STATEMENTS_PER_CONNECTION);
  await c.end();

  process.env.PIPEWRIGHT_PREPARED_STATEMENTS = 'off';
  const off = await connect();
  expect((await off.query(marked, [1])).rows).toEqual([{ label: 'one' }]);
  expect(await prepared(off)).toEqual([]);
});

it('is installed on every connection of createDb, so a Kysely query with the mark is prepared', async () => {
  const { db, pool } = createDb(t.url, { max: 1 });
  try {
    const run = (d: Db) =>
      sql<{ label: string }>`${sql.raw(NAMED_STATEMENT_MARK)} SELECT label FROM named_probe WHERE id = ${2}`.execute(d);
    expect((await run(db)).rows).toEqual([{ label: 'two' }]);
    const names = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements`.execute(db);
    expect(names.rows).toHaveLength(1);
  } finally {
    await db.destroy();
    expect(pool.totalCount).toBe(0);
  }
});
