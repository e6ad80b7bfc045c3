import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as stepsRoute from '@/app/api/v1/runs/[id]/steps/route';
import * as snapshotsRoute from '@/app/api/v1/runs/[id]/snapshots/route';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { listRunSteps } from '@/server/runs/list-run-steps';
import { createApiToken } from '@/server/tokens/create-api-token';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { hasSnapshot } from '@/server/runtime/run-store/stored-snapshot';
import { recordsWithSnapshot, storeSnapshotsAsBefore } from '@/test/snapshots-as-before';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

/** GET /runs/{id}/steps and /snapshots page like every list (SPEC §6): `limit`, `cursor` → `{ items, nextCursor }`. */

type THandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

let t: TTestDatabase;
let ctx: TAuthContext;
let token: string;
let runId: string;
/** 1 forEach record + 2 per iteration. */
const ITEMS = 260;
const STEP_RECORDS = 1 + 2 * ITEMS;

beforeAll(async () => {
  t = await createTestDatabase('run_pages');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  token = (await createApiToken({ db: t.db, ctx, input: { name: 'viewer', role: 'viewer' } })).token;
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'many-steps',
    document: {
      steps: [
        {
          id: 'each',
          type: 'control.forEach',
          config: {
            items: { $expr: `[1..${ITEMS}]` },
            steps: [
              {
                id: 'square',
                type: 'transform.assign',
                config: { assign: { 'vars.square': { $expr: '$item * $item' } } },
              },
              {
                id: 'echo',
                type: 'action.call',
                config: { action: 'core.echo', version: 1, input: { $expr: 'vars.square' } },
              },
            ],
          },
        },
      ],
    },
  });
  runId = (await startRun({ tenantId: ctx.tenantId, workflowKey: 'many-steps', input: {}, trigger: { type: 'api' } }))
    .runId;
  expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
}, 120_000);
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function get(handler: THandler, query: string) {
  const path = handler === stepsRoute.GET ? 'steps' : 'snapshots';
  const response = await handler(
    new Request(`http://localhost/api/v1/runs/${runId}/${path}${query}`, {
      headers: { authorization: `Bearer ${token}` },
    }),
    { params: Promise.resolve({ id: runId }) },
  );
  return {
    status: response.status,
    json: (await response.json()) as {
      items: Array<{ id?: string; stepRecordId?: string; path: string; attempt: number }>;
      nextCursor: string | null;
      error?: { code: string; message: string };
    },
  };
}

/** Follows nextCursor from the first page to the last. */
async function readAll(handler: THandler, limit: number) {
  const pages: number[] = [];
  const items: Array<{ id?: string; stepRecordId?: string; path: string }> = [];
  let cursor: string | null = null;
  do {
    const page = await get(handler, `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status).toBe(200);
    pages.push(page.json.items.length);
    items.push(...page.json.items);
    cursor = page.json.nextCursor;
  } while (cursor);
  return { pages, items };
}

describe('GET /runs/{id}/steps', () => {
  it('pages through every record once, in the order an unpaged read gives', async () => {
    const all = await t.db
      .selectFrom('run_steps')
      .select(['id'])
      .where('run_id', '=', runId)
      .orderBy('started_at')
      .orderBy('path')
      .orderBy('attempt')
      .execute();
    expect(all).toHaveLength(STEP_RECORDS);
    const { pages, items } = await readAll(stepsRoute.GET, 200);
    expect(pages).toEqual([200, 200, STEP_RECORDS - 400]);
    expect(items.map((item) => item.id)).toEqual(all.map((row) => row.id));
  });

  it('gives 100 by default, with a cursor to the rest; a last page has nextCursor null', async () => {
    const first = await get(stepsRoute.GET, '');
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(100);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const whole = await get(stepsRoute.GET, '?limit=500');
    expect(whole.json.items.length).toBe(500);
    const rest = await listRunSteps({
      db: t.db,
      ctx,
      input: { id: runId, limit: 500, cursor: whole.json.nextCursor! },
    });
    expect([rest.items.length, rest.nextCursor]).toEqual([STEP_RECORDS - 500, null]);
  });

  it('reads 2,000 records that started in the same microsecond in pages of 500, none skipped or repeated', async () => {
    // Batched pure steps share a start time to the millisecond; the cursor's path and attempt tell them apart.
    const { runId: tied } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'many-steps',
      input: {},
      trigger: { type: 'api' },
    });
    const at = new Date('2026-12-01T10:00:00.123Z');
    const rows = Array.from({ length: 1000 }, (_, i) =>
      [1, 2].map((attempt) => ({
        id: randomUUID(),
        run_id: tied,
        tenant_id: ctx.tenantId,
        step_id: 'square',
        path: `steps[0].steps[${i}]`,
        type: 'transform.assign',
        attempt,
        status: attempt === 1 ? ('FAILED' as const) : ('SUCCEEDED' as const),
        started_at: at,
      })),
    ).flat();
    await t.db.insertInto('run_steps').values(rows).execute();
    const expected = await t.db
      .selectFrom('run_steps')
      .select('id')
      .where('run_id', '=', tied)
      .orderBy('started_at')
      .orderBy('path')
      .orderBy('attempt')
      .execute();
    const ids: string[] = [];
    const sizes: number[] = [];
    for (let cursor: string | null = null; sizes.length === 0 || cursor;) {
      const page = await listRunSteps({
        db: t.db,
        ctx,
        input: { id: tied, limit: 500, ...(cursor ? { cursor } : {}) },
      });
      ids.push(...page.items.map((item) => item.id));
      sizes.push(page.items.length);
      cursor = page.nextCursor;
      expect(sizes.length).toBeLessThan(5);
    }
    expect(sizes).toEqual([500, 500, 500, 500]);
    expect(ids).toEqual(expected.map((row) => row.id));
  });

  it.each([
    ['?limit=0', /limit/],
    ['?limit=501', /limit/],
    ['?limit=ten', /limit/],
    ['?cursor=not-a-cursor', /cursor/],
    [`?cursor=${Buffer.from('2026-01-01T00:00:00Z|x|steps[0]').toString('base64url')}`, /cursor/],
  ])('answers 422 naming the parameter for %s', async (query, names) => {
    const response = await get(stepsRoute.GET, query);
    expect(response.status).toBe(422);
    expect(response.json.error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(names) });
  });
});

describe('GET /runs/{id}/snapshots', () => {
  it('pages through every snapshot once, in step order, in records and in rows stored before alike', async () => {
    // Every other record's snapshot as records stored before migration 20270104000000 hold it.
    const before = (await recordsWithSnapshot(t.db, runId)).filter((_, i) => i % 2 === 0);
    expect(await storeSnapshotsAsBefore(t.db, runId, before)).toBe(before.length);
    const all = await t.db
      .selectFrom('run_steps as r')
      .leftJoin('run_snapshots as s', 's.step_record_id', 'r.id')
      .select('r.id as step_record_id')
      .where('r.run_id', '=', runId)
      .where(hasSnapshot())
      .orderBy('r.started_at')
      .orderBy('r.path')
      .orderBy('r.attempt')
      .execute();
    expect(all.length).toBeGreaterThan(2 * ITEMS - 1);
    const { pages, items } = await readAll(snapshotsRoute.GET, 200);
    expect(pages.slice(0, -1).every((n) => n === 200)).toBe(true);
    expect(items.map((item) => item.stepRecordId)).toEqual(all.map((row) => row.step_record_id));
    expect((await get(snapshotsRoute.GET, '')).json.items).toHaveLength(50);
  });

  it('answers 422 for a bad limit or cursor', async () => {
    expect((await get(snapshotsRoute.GET, '?limit=201')).status).toBe(422);
    expect((await get(snapshotsRoute.GET, '?cursor=%%%')).status).toBe(422);
  });
});
