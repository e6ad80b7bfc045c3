import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as replayRoute from '@/app/api/v1/workflows/[key]/versions/[n]/replay/route';
import * as startRoute from '@/app/api/v1/workflows/[key]/runs/route';
import * as versionsRoute from '@/app/api/v1/workflows/[key]/versions/route';
import { closeCodePool } from '@/server/runtime/code/code-pool';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { createApiToken } from '@/server/tokens/create-api-token';
import { callRoute, errorCode, publishOverApi } from '@/test/api';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun } from '@/test/runtime';

let t: TTestDatabase;
let editor: string;
let viewer: string;
let server: Server;
let base: string;
let hits = 0;
const runIds: string[] = [];

const steps = (factor: number, extra: unknown[] = []) => [
  {
    id: 'double',
    type: 'transform.assign',
    config: { assign: { 'vars.total': { $expr: `payload.amount * ${factor}` } } },
  },
  {
    id: 'notify',
    type: 'action.call',
    config: {
      action: 'http.request',
      version: 1,
      input: { method: 'POST', url: { $template: `${base}/n/{{ payload.amount }}` } },
      saveAs: 'vars.notified',
    },
  },
  ...extra,
];

beforeAll(async () => {
  t = await createTestDatabase('replay');
  process.env.DATABASE_URL = t.url;
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  const { ctx } = await createTenantWithMember({ db: t.db, role: 'admin' });
  editor = (await createApiToken({ db: t.db, ctx, input: { name: 'editor', role: 'editor' } })).token;
  viewer = (await createApiToken({ db: t.db, ctx, input: { name: 'viewer', role: 'viewer' } })).token;
  server = createServer((request, response) => {
    hits += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ seen: request.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const published = await publishOverApi(editor, 'billing', {
    steps: steps(2),
    output: { $expr: '{"total": vars.total, "seen": vars.notified.body.seen}' },
  });
  expect(published.status, JSON.stringify(published.json)).toBe(200);
  for (const amount of [10, 20]) {
    const started = await callRoute(startRoute.POST, {
      method: 'POST',
      path: '/workflows/billing/runs',
      token: editor,
      body: { input: { amount } },
      params: { key: 'billing' },
    });
    runIds.push(started.json!.runId as string);
    expect(await driveRun({ db: t.db, runId: runIds.at(-1)! })).toBe('SUCCEEDED');
  }
  // The draft: a new factor, and a new outside call the recorded runs never made.
  const draft = await callRoute(versionsRoute.POST, {
    method: 'POST',
    path: '/workflows/billing/versions',
    token: editor,
    params: { key: 'billing' },
    body: {
      key: 'billing',
      name: 'billing',
      steps: steps(3, [
        {
          id: 'audit',
          type: 'action.call',
          config: {
            action: 'http.request',
            version: 1,
            input: { method: 'POST', url: `${base}/audit` },
            saveAs: 'vars.audit',
          },
        },
      ]),
      output: { $expr: '{"total": vars.total, "seen": vars.notified.body.seen}' },
    },
  });
  expect(draft.json?.version).toBe(2);
});
afterAll(async () => {
  delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await closeExpressionPool();
  await closeCodePool();
  await t.close();
});

const replay = (body: unknown, token = editor, n = '2') =>
  callRoute(replayRoute.POST, {
    method: 'POST',
    path: `/workflows/billing/versions/${n}/replay`,
    token,
    body,
    params: { key: 'billing', n },
  });

describe('POST /workflows/{key}/versions/{n}/replay', () => {
  it('replays the draft with outside effects answered from the recording, and reports the differences', async () => {
    const before = {
      hits,
      runs: await t.db
        .selectFrom('runs')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow(),
    };
    const replayed = await replay({ runIds });
    expect(replayed.status, JSON.stringify(replayed.json)).toBe(200);
    const runs = replayed.json!.runs as Array<Record<string, unknown>>;
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({
      runId: runIds[0],
      version: 1,
      recorded: { status: 'SUCCEEDED', output: { total: 20, seen: '/n/10' } },
      // The recorded response answers the call; only the total changed.
      replayed: { status: 'SUCCEEDED', output: { total: 30, seen: '/n/10' } },
      outputChanged: true,
      waitingAt: [],
    });
    const byId = Object.fromEntries((runs[0]!.steps as Array<{ stepId: string }>).map((s) => [s.stepId, s]));
    expect(byId.double).toMatchObject({
      changes: ['output', 'vars'],
      recorded: { varsWritten: { 'vars.total': 20 } },
      replayed: { varsWritten: { 'vars.total': 30 } },
    });
    expect(byId.notify).toMatchObject({ changes: [], mockedWithoutRecording: false });
    expect(byId.audit).toMatchObject({
      changes: ['added'],
      mockedWithoutRecording: true,
      replayed: { status: 'SUCCEEDED', output: null },
    });
    expect(runs[1]).toMatchObject({
      recorded: { output: { total: 40 } },
      replayed: { output: { total: 60, seen: '/n/20' } },
    });
    // Nothing went out, nothing was written.
    expect(hits).toBe(before.hits);
    expect(
      await t.db
        .selectFrom('runs')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow(),
    ).toEqual(before.runs);
  });

  it('shows no change when the same version is replayed', async () => {
    const same = await replay({ runIds: [runIds[0]] }, editor, '1');
    const run = (same.json!.runs as Array<{ outputChanged: boolean; steps: Array<{ changes: string[] }> }>)[0]!;
    expect(run.outputChanged).toBe(false);
    expect(run.steps.every((step) => step.changes.length === 0)).toBe(true);
  });

  it('refuses more than 50 runs, a run named twice, no runs, unknown runs, other versions and viewers', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const tooMany = await replay({ runIds: many });
    expect([tooMany.status, errorCode(tooMany)]).toEqual([422, 'VALIDATION']);
    expect(JSON.stringify(tooMany.json)).toContain('at most 50 runs');
    expect((await replay({ runIds: [runIds[0], runIds[0]] })).status).toBe(422);
    expect((await replay({ runIds: [] })).status).toBe(422);
    const unknown = await replay({ runIds: ['00000000-0000-4000-8000-000000000001'] });
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'NOT_FOUND']);
    expect((await replay({ runIds }, editor, '7')).status).toBe(404);
    expect((await replay({ runIds }, viewer)).status).toBe(403);
  });
});
