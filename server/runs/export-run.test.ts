import { afterAll, beforeAll, expect, it } from 'vitest';
import * as exportRoute from '@/app/api/v1/runs/[id]/export/route';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { startRun } from '@/server/runtime/start-run';
import { putSecret } from '@/server/secrets/put-secret';
import { createApiToken } from '@/server/tokens/create-api-token';
import { recordsWithSnapshot } from '@/test/snapshots-as-before';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';

const SECRET = 'export-secret-5f4e3d2c1b';
let t: TTestDatabase;

beforeAll(async () => {
  t = await createTestDatabase('run_export');
  process.env.DATABASE_URL = t.url;
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

it('GET /runs/{id}/export: run, steps, events, snapshots and tasks in one document, redacted as the run page shows them', async () => {
  const a = await createTenantWithMember({ db: t.db, role: 'admin' });
  const b = await createTenantWithMember({ db: t.db, role: 'admin' });
  const viewer = (await createApiToken({ db: t.db, ctx: a.ctx, input: { name: 'v', role: 'viewer' } })).token;
  const other = (await createApiToken({ db: t.db, ctx: b.ctx, input: { name: 'o', role: 'admin' } })).token;
  await putSecret({ db: t.db, ctx: a.ctx, input: { name: 'key', value: SECRET } });
  await publishWorkflow({
    db: t.db,
    ctx: a.ctx,
    key: 'exported',
    document: {
      env: { secrets: { KEY: 'key' } },
      settings: { redact: ['/payload/card'] },
      steps: [
        {
          id: 'echo',
          type: 'action.call',
          config: { action: 'core.echo', version: 1, input: { key: { $secret: 'KEY' } }, saveAs: 'vars.echoed' },
        },
        {
          id: 'ask',
          type: 'human.task',
          config: { title: 'Look', form: { type: 'object' }, outcomes: ['ok'], assignee: { role: 'admin' } },
        },
      ],
    },
  });
  const { runId } = await startRun({
    tenantId: a.tenantId,
    workflowKey: 'exported',
    input: { card: '4111111111111111' },
    trigger: { type: 'api' },
  });
  expect(await driveRun({ db: t.db, runId })).toBe('WAITING');

  const get = async (token: string, id = runId, download = false) => {
    const response = await exportRoute.GET(
      new Request(`http://localhost/api/v1/runs/${id}/export${download ? '?download=1' : ''}`, {
        headers: { authorization: `Bearer ${token}` },
      }),
      { params: Promise.resolve({ id }) },
    );
    return { response, text: await response.text() };
  };
  const { response, text } = await get(viewer, runId, true);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-disposition')).toBe(`attachment; filename="run-${runId}.json"`);
  const document = JSON.parse(text) as Record<string, unknown[] | Record<string, unknown>>;
  expect(document).toMatchObject({ format: 'pipewright.run-export', formatVersion: 1 });
  expect((document.run as { id: string; status: string }).status).toBe('WAITING');
  const count = async (table: 'run_steps' | 'run_events') =>
    (await t.db.selectFrom(table).select('run_id').where('run_id', '=', runId).execute()).length;
  expect(document.steps).toHaveLength(await count('run_steps'));
  expect(document.events).toHaveLength(await count('run_events'));
  const taken = await recordsWithSnapshot(t.db, runId);
  expect(document.snapshots).toHaveLength(taken.length);
  expect(taken.length).toBeGreaterThan(0);
  expect((document.events as { seq: number }[]).map((e) => e.seq)).toEqual(
    Array.from({ length: document.events!.length as number }, (_, i) => i + 1),
  );
  expect(document.tasks).toHaveLength(1);
  expect((document.tasks as { title: string }[])[0]!.title).toBe('Look');
  // The secret the echo returned is masked, and the redacted pointer is not in any snapshot.
  expect(text).not.toContain(SECRET);
  expect(JSON.stringify(document.snapshots)).not.toContain('4111111111111111');

  expect((await get(other)).response.status).toBe(404);
  expect((await get(viewer, 'nope')).response.status).toBe(422);
});
