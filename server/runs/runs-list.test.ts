import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as runsRoute from '@/app/api/v1/runs/route';
import type { TAuthContext } from '@/server/auth/context';
import { encodeCursor } from '@/server/api/pagination';
import { getQueue } from '@/server/runtime/queue/run-queue';
import { insertRuns, type TNewRun } from '@/server/runtime/run-store/insert-run';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { listRuns } from '@/server/runs/list-runs';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';

/** GET /runs: keyset pages over (created_at, id) with any combination of filters (SPEC §6). */

let t: TTestDatabase;
let ctx: TAuthContext;
let token: string;
type TRow = {
  id: string;
  workflow_key: string;
  status: string;
  state: string | null;
  created_at: string;
  input: { text: string };
};
let rows: TRow[] = [];

const STATUSES = ['SUCCEEDED', 'FAILED', 'WAITING', 'QUEUED'] as const;
const STATES = [null, 'new', 'shipped'] as const;

async function get(query: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = `http://localhost/api/v1/runs?${new URLSearchParams(query)}`;
  const response = await runsRoute.GET(new Request(url, { headers: { authorization: `Bearer ${token}` } }), {
    params: Promise.resolve({}),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Every id the list gives for these filters, following nextCursor to the end. */
async function allPages(filters: Record<string, string>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const res = await get({ ...filters, limit: String(limit), ...(cursor ? { cursor } : {}) });
    expect(res.status).toBe(200);
    ids.push(...(res.json.items as { id: string }[]).map((item) => item.id));
    cursor = res.json.nextCursor as string | null;
    if (!cursor) return ids;
  }
  throw new Error('more than 1000 pages');
}

async function startMany(key: string, n: number, input: (i: number) => unknown): Promise<string[]> {
  const version = await t.db
    .selectFrom('workflow_versions as v')
    .innerJoin('workflows as w', 'w.id', 'v.workflow_id')
    .select(['w.id as workflowId', 'v.id as versionId'])
    .where('w.key', '=', key)
    .where('w.tenant_id', '=', ctx.tenantId)
    .executeTakeFirstOrThrow();
  const runs: TNewRun[] = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    tenantId: ctx.tenantId,
    workflowId: version.workflowId,
    workflowKey: key,
    versionId: version.versionId,
    version: 1,
    input: input(i),
    trigger: { type: 'api' },
    parent: null,
    idempotencyKey: null,
  }));
  await insertRuns(t.db, runs); // one statement: every run gets the same created_at
  return runs.map((run) => run.id);
}

beforeAll(async () => {
  t = await createTestDatabase('runs_list');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  token = (await createApiToken({ db: t.db, ctx, input: { name: 'reader', role: 'viewer' } })).token;
  for (const key of ['alpha', 'beta', 'gamma'])
    await publishWorkflow({
      db: t.db,
      ctx,
      key,
      document: { steps: [{ id: 'one', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
    });
  // 3 × 70 runs, each workflow's in one statement (equal created_at within it), then statuses,
  // states and times spread the way a week of runs would be, with ties left in place.
  let i = 0;
  for (const key of ['alpha', 'beta', 'gamma'])
    await startMany(key, 70, () => ({ text: `${key} ${['red', 'green', 'blue'][i % 3]} order-${i++}` }));
  await sql`
    UPDATE runs SET status = (ARRAY['SUCCEEDED','FAILED','WAITING','QUEUED'])[1 + (abs(hashtext(id::text)) % 4)],
                    state = (ARRAY[NULL,'new','shipped'])[1 + (abs(hashtext(id::text || 's')) % 3)],
                    created_at = created_at - make_interval(hours => abs(hashtext(id::text || 't')) % 12)
     WHERE tenant_id = ${ctx.tenantId}`.execute(t.db);
  const read =
    await sql<TRow>`SELECT id, workflow_key, status, state, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at, input FROM runs WHERE tenant_id = ${ctx.tenantId}`.execute(
      t.db,
    );
  rows = read.rows.sort((a, b) =>
    a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1,
  );
  expect(new Set(STATUSES).size).toBe(4);
  expect(STATES).toHaveLength(3);
});
afterAll(async () => {
  await (await getQueue()).stop({ graceful: false, close: true });
  await t.close();
});

describe('GET /runs pages', () => {
  it('never skips or repeats a run among 130 created in the same microsecond, whatever the page size', async () => {
    const tied = await startMany('alpha', 130, (i) => ({ text: `tied ${i}` }));
    const expected = [...tied].sort().reverse(); // same created_at: newest-first falls back to id desc
    for (const limit of [1, 7, 50, 200]) {
      const ids = (await allPages({ q: 'tied' }, limit)).filter((id) => tied.includes(id));
      expect(ids).toEqual(expected);
    }
    await t.db.deleteFrom('runs').where('id', 'in', tied).execute();
  });

  it('combines every filter with the others, page after page, as the rows say', async () => {
    const times = rows.map((row) => row.created_at).sort();
    const from = times[Math.floor(times.length * 0.25)]!;
    const to = times[Math.floor(times.length * 0.75)]!;
    const combos: Record<string, string>[] = [
      {},
      { workflow: 'beta' },
      { status: 'FAILED' },
      { state: 'new' },
      { from, to },
      { q: 'green' },
      { workflow: 'alpha', status: 'SUCCEEDED' },
      { workflow: 'gamma', state: 'shipped', status: 'WAITING' },
      { status: 'QUEUED', from },
      { workflow: 'beta', q: 'blue', to },
      { workflow: 'alpha', status: 'FAILED', state: 'new', from, to, q: 'red' },
      { workflow: 'nobody' },
    ];
    for (const filters of combos) {
      const expected = rows
        .filter((row) => !filters.workflow || row.workflow_key === filters.workflow)
        .filter((row) => !filters.status || row.status === filters.status)
        .filter((row) => !filters.state || row.state === filters.state)
        .filter((row) => !filters.from || row.created_at >= filters.from)
        .filter((row) => !filters.to || row.created_at < filters.to)
        .filter((row) => !filters.q || row.input.text.toLowerCase().includes(filters.q.toLowerCase()))
        .map((row) => row.id);
      expect(await allPages(filters, 9), JSON.stringify(filters)).toEqual(expected);
    }
  });

  it('gives a text search the same pages when it reads a few runs in list order and finds the rest through the indexes', async () => {
    const times = rows.map((row) => row.created_at).sort();
    const from = times[Math.floor(times.length * 0.25)]!;
    const combos: Record<string, string>[] = [
      { q: 'green' },
      { q: 'order-1' }, // order-1, order-10…19, order-100…199: dense at first, then sparse
      { q: 'order-7', status: 'FAILED' },
      { workflow: 'beta', q: 'blue', from },
      { state: 'shipped', q: 'RED' },
      { q: 'no run has this' },
      { q: rows[17]!.id },
    ];
    for (const filters of combos) {
      const expected = rows
        .filter((row) => !filters.workflow || row.workflow_key === filters.workflow)
        .filter((row) => !filters.status || row.status === filters.status)
        .filter((row) => !filters.state || row.state === filters.state)
        .filter((row) => !filters.from || row.created_at >= filters.from)
        .filter((row) => row.id === filters.q || row.input.text.toLowerCase().includes(filters.q!.toLowerCase()))
        .map((row) => row.id);
      // Probe cap 0: the window first (as before the probe); 2: the probe gives up on most
      // searches and the window answers; 500: the probe answers every search here.
      for (const [budget, limit, probe] of [
        [1, 4, 0],
        [5, 3, 0],
        [13, 7, 0],
        [40, 50, 0],
        [5, 3, 2],
        [13, 7, 500],
      ] as const) {
        const ids: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 300; page++) {
          const res = await listRuns({
            db: t.db,
            ctx,
            input: { ...filters, limit, cursor },
            textScanBudget: budget,
            textProbeCap: probe,
          });
          expect(res.items.length).toBeLessThanOrEqual(limit);
          ids.push(...res.items.map((item) => item.id));
          if (!res.nextCursor) break;
          cursor = res.nextCursor;
        }
        expect(ids, `${JSON.stringify(filters)} budget ${budget} limit ${limit} probe ${probe}`).toEqual(expected);
      }
    }
  });
});

describe('a text search asks the indexes first (issue #16)', () => {
  /** Every page of a search through listRuns, with its cursors. */
  async function pagesOf(input: Record<string, string>, limit: number, textProbeCap: number, textPeek = 0, c = ctx) {
    const pages: { ids: string[]; nextCursor: string | null }[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 500; page++) {
      const res = await listRuns({ db: t.db, ctx: c, input: { ...input, limit, cursor }, textProbeCap, textPeek });
      pages.push({ ids: res.items.map((item) => item.id), nextCursor: res.nextCursor });
      if (!res.nextCursor) return pages;
      cursor = res.nextCursor;
    }
    throw new Error('more than 500 pages');
  }

  // Some 1,300 paginations: 15-30 s on a loaded 2-core machine, so it has more than the 30 s default.
  it('gives the same pages and cursors as the list-order window, whether the probe answers or gives up', async () => {
    const times = rows.map((row) => row.created_at).sort();
    const from = times[Math.floor(times.length * 0.3)]!;
    const to = times[Math.floor(times.length * 0.8)]!;
    const combos: Record<string, string>[] = [
      { q: 'order' }, // every run: the probe gives up at any cap below 210
      { q: 'green' },
      { q: 'order-4' },
      { q: 'no run has this' },
      { state: 'new', q: 'blue' },
      { workflow: 'gamma', status: 'FAILED', q: 'order' },
      { workflow: 'alpha', state: 'shipped', from, to, q: 'red' },
      { status: 'WAITING', q: 'no run has this' },
      { q: rows[42]!.id },
    ];
    for (const filters of combos)
      for (const limit of [1, 6, 50]) {
        const before = await pagesOf(filters, limit, 0);
        for (const [cap, peek] of [
          [1, 0],
          [10, 0],
          [60, 0],
          [500, 0],
          [10, 3],
          [500, 200],
        ] as const) {
          expect(
            await pagesOf(filters, limit, cap, peek),
            `${JSON.stringify(filters)} limit ${limit} cap ${cap} peek ${peek}`,
          ).toEqual(before);
        }
      }
  }, 180_000);

  it('pages runs tied on created_at apart with the probe, neither skipping nor repeating one', async () => {
    const tied = await startMany('beta', 90, (i) => ({ text: `probe-tie ${i % 3 === 0 ? 'odd' : 'even'} ${i}` }));
    const ids = (await sql<{ id: string }>`SELECT id FROM runs WHERE id = ANY(${tied}::uuid[])`.execute(t.db)).rows.map(
      (r) => r.id,
    );
    expect(ids).toHaveLength(90);
    const expected = [...tied].sort().reverse();
    const odd = new Set(tied.filter((_, i) => i % 3 === 0));
    for (const [q, want] of [
      ['probe-tie', expected],
      ['probe-tie odd', expected.filter((id) => odd.has(id))],
    ] as const)
      for (const limit of [1, 4, 29, 100])
        for (const [cap, peek] of [
          [500, 0],
          [35, 0],
          [500, 10],
        ] as const) {
          const pages = await pagesOf({ q }, limit, cap, peek);
          const seen = pages.flatMap((page) => page.ids);
          expect(seen, `${q} limit ${limit} cap ${cap} peek ${peek}`).toEqual(want);
          expect(new Set(seen).size).toBe(seen.length);
        }
    await t.db.deleteFrom('runs').where('id', 'in', tied).execute();
  });

  it("never finds another tenant's runs, with the same text, filters and a cursor", async () => {
    const other = await createTenantWithMember({ db: t.db, role: 'admin' });
    await publishWorkflow({
      db: t.db,
      ctx: other.ctx,
      key: 'alpha',
      document: { steps: [{ id: 'one', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
    });
    const saved = ctx;
    ctx = other.ctx;
    const theirs = await startMany('alpha', 20, (i) => ({ text: `alpha red order-x${i}` }));
    ctx = saved;
    const mine = rows.filter((row) => row.workflow_key === 'alpha' && row.input.text.includes('red')).map((r) => r.id);
    for (const cap of [0, 3, 500]) {
      const ids = (await pagesOf({ workflow: 'alpha', q: 'red' }, 4, cap, 2)).flatMap((page) => page.ids);
      expect(ids).toEqual(mine);
      const theirIds = (await pagesOf({ workflow: 'alpha', q: 'red' }, 4, cap, 2, other.ctx)).flatMap(
        (page) => page.ids,
      );
      expect(theirIds).toEqual([...theirs].sort().reverse());
    }
  });
});

describe('GET /runs refuses bad parameters with a 4xx naming them, never a 500', () => {
  const cases: [string, Record<string, string>][] = [
    ['status', { status: 'DONE' }],
    ['limit', { limit: 'many' }],
    ['limit', { limit: '0' }],
    ['limit', { limit: '100000' }],
    ['from', { from: 'yesterday' }],
    ['to', { to: '2026-13-45T00:00:00Z' }],
    ['cursor', { cursor: 'not-a-cursor' }],
    ['cursor', { cursor: encodeCursor(`0000-01-01T00:00:00.000000Z|${randomUUID()}`) }],
    ['cursor', { cursor: encodeCursor(`2026-01-01T00:00:00.000000Z|not-a-uuid`) }],
    ['cursor', { cursor: encodeCursor(`2026-01-01|${randomUUID()}|x`) }],
    ['q', { q: 'nul \u0000 inside' }],
    ['workflow', { workflow: '\u0000' }],
    ['state', { state: 'x'.repeat(201) }],
  ];
  for (const [param, query] of cases) {
    it(`${param}=${JSON.stringify(Object.values(query)[0]).slice(0, 40)}`, async () => {
      const res = await get(query);
      expect(res.status).toBe(422);
      const error = res.json.error as { code: string; message: string; details?: { path: string }[] };
      expect(error.code).toBe('VALIDATION');
      expect([error.message, ...(error.details ?? []).map((d) => d.path)].join(' ')).toContain(param);
    });
  }
});
