import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { runDry } from '@/server/runtime/dry-run/run-dry';
import { ZVersionDocument } from '@/model/definition/version-document';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { answer, startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';

// Test a step and replay (SPEC §9) interpret without a run: a file a step returns is checked
// like a run's (size, name, type) and described by a reference with `id: null`; nothing is stored.

let t: TTestDatabase;
let server: TLoopbackServer | null = null;
const savedAllow = process.env.PIPEWRIGHT_EGRESS_ALLOW;
beforeAll(async () => {
  t = await createTestDatabase('artifacts_dry');
});
afterAll(async () => t.close());
afterEach(async () => {
  await server?.close();
  server = null;
  if (savedAllow === undefined) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  else process.env.PIPEWRIGHT_EGRESS_ALLOW = savedAllow;
  delete process.env.PIPEWRIGHT_ARTIFACT_MAX_BYTES;
});

async function dry(steps: unknown[]) {
  const { tenantId } = await createTenantWithMember({ db: t.db });
  const document = ZVersionDocument.parse({ key: 'dry', name: 'dry', steps });
  return runDry({
    db: t.db,
    tenantId,
    workflowKey: 'dry',
    version: 1,
    document,
    steps: document.steps,
    envelope: { payload: {}, vars: {}, error: null, state: null },
    answerAction: () => null,
    signal: new AbortController().signal,
  });
}

it('a dry run describes code.js and http.request files with id null and stores nothing', async () => {
  server = await startLoopbackServer('127.0.0.1', answer(200, 'a,b\n1,2\n', { 'content-type': 'text/csv' }));
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  const result = await dry([
    { id: 'make', type: 'code.js', config: { source: "return { $artifact: { name: 'n.txt', text: 'hello' } };" } },
    {
      id: 'fetch',
      type: 'action.call',
      config: {
        action: 'http.request',
        version: 1,
        input: { method: 'GET', url: `${server.origin}/r.csv`, saveBodyAs: 'artifact' },
      },
    },
  ]);
  expect(result.status).toBe('SUCCEEDED');
  expect(result.steps[0]!.output).toEqual({
    $artifact: { id: null, name: 'n.txt', contentType: 'text/plain; charset=utf-8', size: 5 },
  });
  expect(result.steps[1]!.output).toMatchObject({
    bodyEncoding: 'artifact',
    body: { $artifact: { id: null, name: 'r.csv', contentType: 'text/csv', size: 8 } },
  });
  expect(await t.db.selectFrom('run_artifacts').select('id').execute()).toEqual([]);
});

it('a dry run refuses what a run would refuse: over the limit, bad base64', async () => {
  process.env.PIPEWRIGHT_ARTIFACT_MAX_BYTES = '3';
  const big = await dry([
    { id: 'make', type: 'code.js', config: { source: "return { $artifact: { name: 'n.txt', text: 'hello' } };" } },
  ]);
  expect(big.status).toBe('FAILED');
  expect(big.error).toMatchObject({ code: 'ARTIFACT_TOO_LARGE' });
  delete process.env.PIPEWRIGHT_ARTIFACT_MAX_BYTES;
  const bad = await dry([
    { id: 'make', type: 'code.js', config: { source: "return { $artifact: { name: 'n.bin', base64: '@@@' } };" } },
  ]);
  expect(bad.error).toMatchObject({ code: 'VALIDATION' });
  expect(bad.error?.message).toMatch(/base64 is not valid base64/);
});
