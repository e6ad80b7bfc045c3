import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as artifactRoute from '@/app/api/v1/artifacts/[id]/route';
import * as runArtifactsRoute from '@/app/api/v1/runs/[id]/artifacts/route';
import { startRun } from '@/server/runtime/start-run';
import { createApiToken } from '@/server/tokens/create-api-token';
import { deleteRun } from '@/server/runs/delete-run';
import { purgeExpiredRuns } from '@/server/retention/purge-expired-runs';
import { artifactId } from '@/server/artifacts/artifact-stager';
import { putSecret } from '@/server/secrets/put-secret';
import { listActionTypes } from '@/server/runtime/registry/list-action-types';
import { contentDisposition } from '@/server/artifacts/download-artifact';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import { callRoute, errorCode } from '@/test/route-call';
import { startReceiver, type TReceiver, type TReceiverAnswer } from '@/test/faults/fault-harness';
import { startLoopbackServer, type TLoopbackServer } from '@/server/security/loopback-test-server';

// SPEC §11 artifacts end to end in one process: real PostgreSQL, the interpreter driven as a
// worker drives it (driveRun), a real HTTP server on loopback, the API route handlers.

let t: TTestDatabase;
let tenant: Awaited<ReturnType<typeof createTenantWithMember>>;
let other: Awaited<ReturnType<typeof createTenantWithMember>>;
let token: string;
let otherToken: string;
let receiver: TReceiver | null = null;
let server: TLoopbackServer | null = null;
let workflowCount = 0;
const savedEnv = { ...process.env };

beforeAll(async () => {
  t = await createTestDatabase('artifacts');
  process.env.DATABASE_URL = t.url;
  tenant = await createTenantWithMember({ db: t.db, role: 'admin' });
  other = await createTenantWithMember({ db: t.db, role: 'admin' });
  token = (await createApiToken({ db: t.db, ctx: tenant.ctx, input: { name: 'viewer', role: 'viewer' } })).token;
  otherToken = (await createApiToken({ db: t.db, ctx: other.ctx, input: { name: 'other', role: 'admin' } })).token;
});
afterAll(async () => t.close());
afterEach(async () => {
  await receiver?.close();
  await server?.close();
  receiver = null;
  server = null;
  for (const name of ['PIPEWRIGHT_ARTIFACT_MAX_BYTES', 'PIPEWRIGHT_ARTIFACT_QUOTA_BYTES', 'PIPEWRIGHT_EGRESS_ALLOW'])
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  await t.db.updateTable('tenants').set({ artifact_quota_bytes: null }).execute();
});

/** Publishes a workflow of these steps and drives one run of it to its end. */
async function runSteps(
  steps: unknown[],
  who = tenant,
): Promise<{
  runId: string;
  status: string;
  error: unknown;
  steps: Array<{ path: string; status: string; output: unknown; error: unknown }>;
}> {
  const key = `artifacts-${++workflowCount}`;
  await publishWorkflow({ db: t.db, ctx: who.ctx, key, document: { steps: steps as never } });
  const { runId } = await startRun({ tenantId: who.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } });
  const status = await driveRun({ db: t.db, runId });
  const run = await t.db.selectFrom('runs').select(['error']).where('id', '=', runId).executeTakeFirstOrThrow();
  const records = await t.db
    .selectFrom('run_steps')
    .select(['path', 'status', 'output', 'error'])
    .where('run_id', '=', runId)
    .orderBy('started_at')
    .execute();
  return { runId, status, error: run.error, steps: records };
}

const httpStep = (url: string, input: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  id: 'fetch',
  type: 'action.call',
  ...extra,
  config: { action: 'http.request', version: 1, input: { method: 'GET', url, saveBodyAs: 'artifact', ...input } },
});
const codeStep = (source: string) => ({ id: 'make', type: 'code.js', config: { source } });

async function storedArtifacts(runId: string) {
  return t.db
    .selectFrom('run_artifacts')
    .select(['id', 'name', 'content_type', 'size', 'data', 'step_path'])
    .where('run_id', '=', runId)
    .orderBy('name')
    .execute();
}

async function download(id: string, as = token, query = '') {
  const request = new Request(`http://localhost/api/v1/artifacts/${id}${query}`, {
    headers: { authorization: `Bearer ${as}` },
  });
  const response = await artifactRoute.GET(request, { params: Promise.resolve({ id }) });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

function serve(answer: (delivery: number) => TReceiverAnswer) {
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
  return startReceiver({ answer: (_key, n) => answer(n) }).then((r) => (receiver = r));
}

describe('http.request saveBodyAs "artifact"', () => {
  it('stores the body with the response content type and name, and the output holds only the reference', async () => {
    const csv = 'id,total\n1,9.50\n2,12.00\n';
    await serve(() => ({
      status: 200,
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="march.csv"' },
      body: csv,
    }));
    const run = await runSteps([httpStep(`${receiver!.url}/reports/3`)]);
    expect(run.status).toBe('SUCCEEDED');
    const [stored] = await storedArtifacts(run.runId);
    expect(stored).toMatchObject({
      name: 'march.csv',
      content_type: 'text/csv; charset=utf-8',
      size: String(csv.length),
    });
    expect(stored!.data.toString('utf8')).toBe(csv);
    expect(stored!.id).toBe(artifactId(run.runId, 'steps[0]', 0));
    expect(run.steps[0]!.output).toMatchObject({
      status: 200,
      bodyEncoding: 'artifact',
      body: {
        $artifact: { id: stored!.id, name: 'march.csv', contentType: 'text/csv; charset=utf-8', size: csv.length },
      },
    });
    // The receiver got the step's idempotency key, as for any http.request.
    expect([...receiver!.perKey.keys()]).toEqual([`${run.runId}:steps[0]`]);

    const listed = await callRoute(runArtifactsRoute.GET, {
      path: `/runs/${run.runId}/artifacts`,
      token,
      params: { id: run.runId },
    });
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual({
      items: [
        expect.objectContaining({
          id: stored!.id,
          runId: run.runId,
          stepId: 'fetch',
          stepPath: 'steps[0]',
          name: 'march.csv',
          size: csv.length,
          url: `/api/v1/artifacts/${stored!.id}`,
        }),
      ],
      nextCursor: null,
    });

    const { response, bytes } = await download(stored!.id);
    expect(response.status).toBe(200);
    expect(bytes.toString('utf8')).toBe(csv);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-length')).toBe(String(csv.length));
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="march.csv"; filename*=UTF-8''march.csv`,
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('names the file after the URL without a Content-Disposition, and artifactName wins over both', async () => {
    await serve(() => ({
      status: 200,
      headers: { 'content-type': 'application/pdf' },
      body: Buffer.from('%PDF-1.4 x'),
    }));
    const byUrl = await runSteps([httpStep(`${receiver!.url}/files/invoice%20007.pdf`)]);
    expect((await storedArtifacts(byUrl.runId)).map((a) => [a.name, a.content_type])).toEqual([
      ['invoice 007.pdf', 'application/pdf'],
    ]);
    const named = await runSteps([httpStep(`${receiver!.url}/x`, { artifactName: 'mine.pdf' })]);
    expect((await storedArtifacts(named.runId)).map((a) => a.name)).toEqual(['mine.pdf']);
  });

  it('a body over PIPEWRIGHT_ARTIFACT_MAX_BYTES fails the step for good (ARTIFACT_TOO_LARGE) and stores nothing', async () => {
    process.env.PIPEWRIGHT_ARTIFACT_MAX_BYTES = '1000';
    await serve(() => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(5000) }));
    const run = await runSteps([
      httpStep(`${receiver!.url}/big`, {}, { retry: { maxAttempts: 3, initialDelayMs: 1 } }),
    ]);
    expect(run.status).toBe('FAILED');
    expect(run.steps).toHaveLength(1);
    expect(run.steps[0]!.error).toMatchObject({ code: 'ARTIFACT_TOO_LARGE' });
    expect((run.steps[0]!.error as { message: string }).message).toMatch(
      /PIPEWRIGHT_ARTIFACT_MAX_BYTES \(1000 bytes\)/,
    );
    expect(await storedArtifacts(run.runId)).toEqual([]);
  });

  it('a retried step stores one file: failed attempts store nothing and the success stores once', async () => {
    await serve((n) =>
      n < 3
        ? { status: 503, body: 'busy' }
        : { status: 200, headers: { 'content-type': 'text/plain' }, body: 'third time' },
    );
    const run = await runSteps([
      httpStep(`${receiver!.url}/flaky`, {}, { retry: { maxAttempts: 3, initialDelayMs: 1, jitter: false } }),
    ]);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.map((s) => s.status)).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
    const stored = await storedArtifacts(run.runId);
    expect(stored.map((a) => a.data.toString())).toEqual(['third time']);
    expect((run.steps[2]!.output as { body: { $artifact: { id: string } } }).body.$artifact.id).toBe(stored[0]!.id);
  });

  it('a lease lost between the response and the commit writes nothing; the run taken over stores the file once', async () => {
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    let runId = '';
    let deliveries = 0;
    // Another worker takes the run while this one is in the call (fence + 1, lease cleared, as
    // a takeover does), committed before the answer leaves: this worker's commit is refused.
    server = await startLoopbackServer('127.0.0.1', (_hit, response) => {
      const n = ++deliveries;
      void (async () => {
        if (n === 1)
          await sql`UPDATE runs SET fence = fence + 1, lease_owner = NULL, lease_expires_at = NULL WHERE id = ${runId}`.execute(
            t.db,
          );
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end(`delivery ${n}`);
      })();
    });
    const key = `artifacts-${++workflowCount}`;
    await publishWorkflow({
      db: t.db,
      ctx: tenant.ctx,
      key,
      document: { steps: [httpStep(`${server.origin}/once`)] as never },
    });
    runId = (await startRun({ tenantId: tenant.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } }))
      .runId;
    expect(await driveRun({ db: t.db, runId, maxPasses: 1 })).toBe('RUNNING');
    expect(deliveries).toBe(1);
    expect(await storedArtifacts(runId)).toEqual([]);
    expect(await t.db.selectFrom('action_invocations').select('run_id').where('run_id', '=', runId).execute()).toEqual(
      [],
    );
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    const stored = await storedArtifacts(runId);
    expect(stored.map((a) => a.data.toString())).toEqual(['delivery 2']);
    expect(deliveries).toBe(2);
  });
  it('a body echoing a secret of the run is stored with the secret masked', async () => {
    const secret = 'sk-artifact-echo-77123';
    await putSecret({ db: t.db, ctx: tenant.ctx, input: { name: 'ECHO_KEY', value: secret } });
    process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
    server = await startLoopbackServer('127.0.0.1', (hit, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`you sent ${String(hit.headers['x-key'])}`);
    });
    const key = `artifacts-${++workflowCount}`;
    await publishWorkflow({
      db: t.db,
      ctx: tenant.ctx,
      key,
      document: {
        env: { secrets: { key: 'ECHO_KEY' } },
        steps: [httpStep(`${server.origin}/echo`, { headers: { 'x-key': { $secret: 'key' } } })],
      } as never,
    });
    const { runId } = await startRun({
      tenantId: tenant.tenantId,
      workflowKey: key,
      input: {},
      trigger: { type: 'api' },
    });
    expect(await driveRun({ db: t.db, runId })).toBe('SUCCEEDED');
    expect(server.hits[0]!.headers['x-key']).toBe(secret);
    const [stored] = await storedArtifacts(runId);
    expect(stored!.data.toString()).toMatch(/^you sent /);
    expect(stored!.data.toString()).not.toContain(secret);
  });

  it('the registry describes saveBodyAs and artifactName, which the designer builds its form from', () => {
    const http = listActionTypes().find((a) => a.id === 'http.request' && a.version === 1)!;
    const properties = (http.inputSchema as { properties: Record<string, { enum?: string[]; description?: string }> })
      .properties;
    expect(properties.saveBodyAs?.enum).toEqual(['artifact']);
    expect(properties.saveBodyAs?.description).toMatch(/file of the run/);
    expect(properties.artifactName?.description).toMatch(/Content-Disposition/);
  });

  it('artifactName without saveBodyAs is refused at publish, naming the field', async () => {
    const refused = publishWorkflow({
      db: t.db,
      ctx: tenant.ctx,
      key: `artifacts-${++workflowCount}`,
      document: {
        steps: [
          {
            id: 'fetch',
            type: 'action.call',
            config: {
              action: 'http.request',
              version: 1,
              input: { method: 'GET', url: 'https://example.com/x', artifactName: 'a.txt' },
            },
          },
        ],
      } as never,
    });
    await expect(refused).rejects.toMatchObject({ code: 'VALIDATION' });
    const error = await refused.catch((e: { details?: unknown }) => e);
    expect(JSON.stringify((error as { details?: unknown }).details)).toMatch(/artifactName.*set saveBodyAs too/);
  });
});

describe('code.js { $artifact }', () => {
  const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

  it('stores text and base64 files anywhere in the returned value, replacing each with its reference', async () => {
    const run = await runSteps([
      codeStep(`return {
        count: 2,
        report: { $artifact: { name: 'summary.md', contentType: 'text/markdown', text: '# Totals\\n\\nété: 3' } },
        images: [{ $artifact: { name: 'dot.png', contentType: 'image/png', base64: '${PNG_BASE64}' } }],
      };`),
    ]);
    expect(run.status).toBe('SUCCEEDED');
    const stored = await storedArtifacts(run.runId);
    expect(stored.map((a) => [a.name, a.content_type])).toEqual([
      ['dot.png', 'image/png'],
      ['summary.md', 'text/markdown'],
    ]);
    expect(stored[0]!.data.equals(Buffer.from(PNG_BASE64, 'base64'))).toBe(true);
    expect(stored[1]!.data.toString('utf8')).toBe('# Totals\n\nété: 3');
    const output = run.steps[0]!.output as Record<string, unknown>;
    expect(output).toEqual({
      count: 2,
      report: { $artifact: { id: stored[1]!.id, name: 'summary.md', contentType: 'text/markdown', size: 18 } },
      images: [
        { $artifact: { id: stored[0]!.id, name: 'dot.png', contentType: 'image/png', size: stored[0]!.data.length } },
      ],
    });
    // Snapshots and events carry the reference, never the bytes.
    const snapshots = await t.db.selectFrom('run_steps').select('snapshot').where('run_id', '=', run.runId).execute();
    expect(JSON.stringify(snapshots)).not.toContain(PNG_BASE64.slice(0, 40));

    // A raster image may be shown inline; the same request for text stays an attachment.
    const image = await download(stored[0]!.id, token, '?disposition=inline');
    expect(image.response.headers.get('content-disposition')).toMatch(/^inline; filename="dot.png"/);
    const text = await download(stored[1]!.id, token, '?disposition=inline');
    expect(text.response.headers.get('content-disposition')).toMatch(/^attachment; /);
  });

  it('HTML and SVG are always attachments, and a hostile name cannot break out of the header', async () => {
    const run = await runSteps([
      codeStep(`return [
        { $artifact: { name: 'x.svg', contentType: 'image/svg+xml', text: '<svg onload="alert(1)"/>' } },
        { $artifact: { name: 'rép"ort\\\\;%.html', contentType: 'text/html', text: '<script>alert(1)</script>' } },
      ];`),
    ]);
    expect(run.status).toBe('FAILED');
    expect((run.steps[0]!.error as { message: string }).message).toMatch(/without "\/" or "\\"/);
    const ok = await runSteps([
      codeStep(`return [
        { $artifact: { name: 'x.svg', contentType: 'image/svg+xml', text: '<svg onload="alert(1)"/>' } },
        { $artifact: { name: 'rép"ort;%.html', contentType: 'text/html', text: '<script>alert(1)</script>' } },
      ];`),
    ]);
    expect(ok.status).toBe('SUCCEEDED');
    const stored = await storedArtifacts(ok.runId);
    const html = stored.find((a) => a.content_type === 'text/html')!;
    const svg = stored.find((a) => a.content_type === 'image/svg+xml')!;
    expect((await download(svg.id, token, '?disposition=inline')).response.headers.get('content-disposition')).toMatch(
      /^attachment; /,
    );
    const page = await download(html.id, token, '?disposition=inline');
    expect(page.response.headers.get('content-disposition')).toBe(
      `attachment; filename="r_p_ort;_.html"; filename*=UTF-8''r%C3%A9p%22ort%3B%25.html`,
    );
    expect(page.response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it.each([
    ['a missing name', `{ contentType: 'text/plain', text: 'x' }`, /output\[0\]: name: name is required/],
    ['bad base64', `{ name: 'a.bin', base64: 'not base64!' }`, /output\[0\]: base64 is not valid base64/],
    ['both text and base64', `{ name: 'a.txt', text: 'x', base64: 'eA==' }`, /exactly one of text or base64/],
    ['a line break in the name', `{ name: 'a\\r\\nSet-Cookie: x', text: 'x' }`, /control characters or line breaks/],
    [
      'a content type that is not one',
      `{ name: 'a.txt', contentType: 'text/plain\\r\\nX: 1', text: 'x' }`,
      /is not a media type/,
    ],
  ])('%s fails the step with VALIDATION naming it, and stores nothing', async (_what, spec, message) => {
    const run = await runSteps([codeStep(`return [{ $artifact: ${spec} }];`)]);
    expect(run.status).toBe('FAILED');
    expect(run.steps[0]!.error).toMatchObject({ code: 'VALIDATION' });
    expect((run.steps[0]!.error as { message: string }).message).toMatch(message);
    expect(await storedArtifacts(run.runId)).toEqual([]);
  });

  it('a file over the limit fails the step (ARTIFACT_TOO_LARGE); a file past the tenant quota fails with ARTIFACT_QUOTA', async () => {
    process.env.PIPEWRIGHT_ARTIFACT_MAX_BYTES = '100';
    const big = await runSteps([codeStep(`return { $artifact: { name: 'big.txt', text: 'x'.repeat(101) } };`)]);
    expect(big.steps[0]!.error).toMatchObject({ code: 'ARTIFACT_TOO_LARGE' });
    expect(await storedArtifacts(big.runId)).toEqual([]);

    delete process.env.PIPEWRIGHT_ARTIFACT_MAX_BYTES;
    const { used } = (
      await sql<{
        used: string;
      }>`SELECT coalesce(sum(size), 0)::text AS used FROM run_artifacts WHERE tenant_id = ${tenant.tenantId}`.execute(
        t.db,
      )
    ).rows[0]!;
    await t.db
      .updateTable('tenants')
      .set({ artifact_quota_bytes: Number(used) + 80 })
      .where('id', '=', tenant.tenantId)
      .execute();
    const fits = await runSteps([codeStep(`return { $artifact: { name: 'a.txt', text: 'y'.repeat(60) } };`)]);
    expect(fits.status).toBe('SUCCEEDED');
    const over = await runSteps([codeStep(`return { $artifact: { name: 'b.txt', text: 'z'.repeat(60) } };`)]);
    expect(over.status).toBe('FAILED');
    expect(over.steps[0]!.error).toMatchObject({ code: 'ARTIFACT_QUOTA' });
    expect((over.steps[0]!.error as { message: string }).message).toMatch(/artifact quota/);
    expect(await storedArtifacts(over.runId)).toEqual([]);
    // Another tenant's quota is its own.
    const elsewhere = await runSteps(
      [codeStep(`return { $artifact: { name: 'c.txt', text: 'z'.repeat(60) } };`)],
      other,
    );
    expect(elsewhere.status).toBe('SUCCEEDED');
    // The env default applies to a tenant without its own setting.
    process.env.PIPEWRIGHT_ARTIFACT_QUOTA_BYTES = '10';
    const byEnv = await runSteps([codeStep(`return { $artifact: { name: 'd.txt', text: 'z'.repeat(60) } };`)], other);
    expect(byEnv.steps[0]!.error).toMatchObject({ code: 'ARTIFACT_QUOTA' });
  });
});

describe('access and deletion', () => {
  it('another tenant gets 404 for the list and the download; a cross-site request without a token gets 401', async () => {
    const run = await runSteps([codeStep(`return { $artifact: { name: 'private.txt', text: 'tenant A only' } };`)]);
    const [stored] = await storedArtifacts(run.runId);
    const foreign = await download(stored!.id, otherToken);
    expect(foreign.response.status).toBe(404);
    expect(foreign.bytes.toString()).not.toContain('tenant A only');
    const list = await callRoute(runArtifactsRoute.GET, {
      path: `/runs/${run.runId}/artifacts`,
      token: otherToken,
      params: { id: run.runId },
    });
    expect([list.status, errorCode(list.json)]).toEqual([404, 'NOT_FOUND']);
    const anonymous = await callRoute(artifactRoute.GET, {
      path: `/artifacts/${stored!.id}`,
      params: { id: stored!.id },
    });
    expect(anonymous.status).toBe(401);
    const notAnId = await callRoute(artifactRoute.GET, { path: '/artifacts/nope', token, params: { id: 'nope' } });
    expect(notAnId.status).toBe(404);
    const badDisposition = await callRoute(artifactRoute.GET, {
      path: `/artifacts/${stored!.id}?disposition=evil`,
      token,
      params: { id: stored!.id },
    });
    expect(badDisposition.status).toBe(422);
  });

  it('a download streams a file larger than one slice byte for byte', async () => {
    const run = await runSteps([
      codeStep(
        `let s = ''; for (let i = 0; i < 70000; i++) s += String(i % 10); return { $artifact: { name: 'digits.txt', text: s.repeat(10) } };`,
      ),
    ]);
    const [stored] = await storedArtifacts(run.runId);
    expect(stored!.data.length).toBe(700_000);
    const { response, bytes } = await download(stored!.id);
    expect(response.headers.get('content-length')).toBe('700000');
    expect(bytes.equals(stored!.data)).toBe(true);
  });

  it('is deleted with its run: by "delete now" and by retention', async () => {
    const first = await runSteps([codeStep(`return { $artifact: { name: 'one.txt', text: '1' } };`)]);
    const second = await runSteps([codeStep(`return { $artifact: { name: 'two.txt', text: '2' } };`)]);
    expect(await storedArtifacts(first.runId)).toHaveLength(1);
    await deleteRun({ db: t.db, ctx: tenant.ctx, input: { id: first.runId } });
    expect(await storedArtifacts(first.runId)).toEqual([]);

    await t.db.updateTable('tenants').set({ retention_days: 1 }).where('id', '=', tenant.tenantId).execute();
    await t.db
      .updateTable('runs')
      .set({ completed_at: sql`now() - interval '3 days'` })
      .where('id', '=', second.runId)
      .execute();
    const purged = await purgeExpiredRuns({ db: t.db });
    expect(purged.deleted).toBeGreaterThanOrEqual(1);
    expect(await storedArtifacts(second.runId)).toEqual([]);
    const { count } = (
      await sql<{
        count: string;
      }>`SELECT count(*)::text AS count FROM run_artifacts WHERE run_id = ANY(${[first.runId, second.runId]}::uuid[])`.execute(
        t.db,
      )
    ).rows[0]!;
    expect(count).toBe('0');
  });
});

it('contentDisposition keeps every stored name inside its header', () => {
  for (const name of ['a"b.txt', 'x\\y', 'tab\there', '日本語.csv', "it's (1).txt", '%41.txt'])
    expect(contentDisposition('attachment', name)).toMatch(
      /^attachment; filename="[\x20-\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]*$/,
    );
});
