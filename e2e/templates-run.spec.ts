import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

/**
 * Issue #18 friction 11: every gallery template (SPEC §9) runs end to end through the real app,
 * `npm start`'s web server and worker, started the way a user starts it: a signed webhook
 * request, a schedule's "Fire now", a delivered event, the runs API, a task answered through
 * the tasks API. Outside parties are HTTP servers on 127.0.0.1 (the e2e app allows loopback
 * egress); emails land in the Outbox (the e2e app has no SMTP_URL), read on the Outbox page.
 */

type TClient = ReturnType<typeof api>;
type THit = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };
type TServer = { origin: string; hits: THit[]; close: () => Promise<void> };
type TRun = { id: string; status: string; output: Record<string, unknown> | null; error: unknown };
type TStep = { stepId: string; path: string; attempt: number; status: string; output: unknown };

/** Statuses a run does not leave on its own. WAITING is not one: a run backing off before a retry waits too. */
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELED'];

/** A loopback HTTP server answering each request with `respond`'s [status, JSON body]. */
async function serve(respond: (hit: THit) => [number, unknown]): Promise<TServer> {
  const hits: THit[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const hit = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      hits.push(hit);
      const [status, body] = respond(hit);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Imports a template through the API, sets its env vars on the draft (a user does this in
 * the designer's Environment panel) and publishes it. Returns the workflow key the import chose.
 */
async function importAndPublish(client: TClient, id: string, vars: Record<string, string> = {}): Promise<string> {
  const imported = await client.post(`/templates/${id}/import`);
  expect(imported.status(), await imported.text()).toBe(201);
  const { key, version, problems } = (await imported.json()) as { key: string; version: number; problems: unknown[] };
  expect(problems).toEqual([]);
  if (Object.keys(vars).length > 0) {
    const draft = (await (await client.get(`/workflows/${key}/versions/${version}`)).json()) as Record<string, unknown>;
    const { version: _version, status: _status, ...document } = draft;
    const env = (document.env ?? { vars: {} }) as { vars: Record<string, string> };
    const saved = await client.post(`/workflows/${key}/versions`, {
      ...document,
      env: { ...env, vars: { ...env.vars, ...vars } },
    });
    expect(saved.status(), await saved.text()).toBeLessThan(300);
    expect(((await saved.json()) as { version: number }).version).toBe(version);
  }
  const published = await client.post(`/workflows/${key}/versions/${version}/publish`);
  expect(published.status(), await published.text()).toBe(200);
  return key;
}

/** Polls GET /runs/{id} until the run's status is one of `statuses` (by default, finished). */
async function settled(client: TClient, runId: string, statuses = TERMINAL): Promise<TRun> {
  let run: TRun | undefined;
  await expect
    .poll(
      async () => {
        run = (await (await client.get(`/runs/${runId}`)).json()) as TRun;
        return statuses.includes(run.status);
      },
      { timeout: 90_000, intervals: [250, 500, 1000] },
    )
    .toBe(true);
  return run!;
}

async function expectSucceeded(client: TClient, runId: string): Promise<TRun> {
  const run = await settled(client, runId);
  expect(run.status, JSON.stringify(run.error)).toBe('SUCCEEDED');
  return run;
}

async function stepsOf(client: TClient, runId: string): Promise<TStep[]> {
  const page = await client.get(`/runs/${runId}/steps?limit=500`);
  expect(page.status()).toBe(200);
  return ((await page.json()) as { items: TStep[] }).items;
}

/** The Outbox page lists the message under its subject, addressed to `to`. */
async function expectInOutbox(page: Page, subject: string, to: string): Promise<void> {
  await signIn(page);
  await page.goto('/outbox');
  await page.getByRole('link').filter({ hasText: subject }).filter({ hasText: to }).click();
  await expect(page.getByRole('heading', { name: subject, level: 2 })).toBeVisible();
  await expect(page.getByText(to, { exact: true })).toBeVisible();
}

async function addTrigger(client: TClient, key: string, trigger: Record<string, unknown>) {
  const created = await client.post(`/workflows/${key}/triggers`, trigger);
  expect(created.status(), await created.text()).toBe(201);
  return (await created.json()) as { id: string; url: string | null };
}

async function startRun(request: APIRequestContext, key: string, input: Record<string, unknown>): Promise<string> {
  const started = await api(request).post(`/workflows/${key}/runs`, { input });
  expect(started.status(), await started.text()).toBe(202);
  return ((await started.json()) as { runId: string }).runId;
}

test.describe.configure({ timeout: 180_000 });

test('invoice approval: a small invoice approves itself; a large one waits until its task is answered', async ({
  request,
}) => {
  const client = api(request);
  const key = await importAndPublish(client, 'invoice-approval');

  const small = await expectSucceeded(
    client,
    await startRun(request, key, { invoiceId: 'INV-1', vendor: 'Acme', amount: 120 }),
  );
  expect(small.output).toMatchObject({ decision: 'approve', decidedBy: 'automatic (under the limit)' });

  const invoiceId = unique('INV');
  const runId = await startRun(request, key, { invoiceId, vendor: 'Acme Paper', amount: 9000 });
  // The run waits on the operator's task (created in the commit that parks the run).
  let mine: Array<{ id: string; runId: string; title: string }> = [];
  await expect
    .poll(
      async () => {
        const open = await client.get('/tasks?mine=false&status=open&limit=200');
        mine = ((await open.json()) as { items: typeof mine }).items.filter((task) => task.runId === runId);
        return mine.map((task) => task.title);
      },
      { timeout: 90_000, intervals: [250, 500, 1000] },
    )
    .toEqual([`Approve invoice ${invoiceId} from Acme Paper`]);
  expect((await settled(client, runId, ['WAITING', ...TERMINAL])).status).toBe('WAITING');
  const answered = await client.post(`/tasks/${mine[0]!.id}/complete`, {
    outcome: 'reject',
    data: { comment: 'Not ordered by us' },
  });
  expect(answered.status(), await answered.text()).toBe(200);
  const { completedBy } = (await answered.json()) as { completedBy: string };
  expect(completedBy).toBeTruthy();
  const run = await expectSucceeded(client, runId);
  expect(run.output).toEqual({ invoiceId, decision: 'reject', decidedBy: completedBy });
  const answeredTwice = await client.post(`/tasks/${mine[0]!.id}/complete`, { outcome: 'approve', data: {} });
  expect(answeredTwice.status()).toBe(409);
});

test('webhook to email: a signed POST to the webhook URL becomes an email in the Outbox', async ({ page, request }) => {
  const client = api(request);
  const recipient = `${unique('team')}@example.com`;
  const key = await importAndPublish(client, 'webhook-to-email', { NOTIFY_EMAIL: recipient });
  const secretName = unique('CONTACT_FORM').toUpperCase().replace(/-/g, '_');
  const secretValue = `whsec-${unique('v')}`;
  expect((await client.post('/secrets', { name: secretName, value: secretValue })).status()).toBe(201);
  const { url } = await addTrigger(client, key, { type: 'webhook', config: { secret: secretName } });
  expect(url).toContain('/api/v1/hooks/');

  const sender = unique('Dana Scully');
  const body = JSON.stringify({ name: sender, email: 'dana@example.com', message: 'Please call me back.' });
  const sign = (secret: string) => {
    const t = Math.floor(Date.now() / 1000);
    return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
  };
  // A wrong signature starts nothing.
  const forged = await fetch(url!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'pipewright-signature': sign('not-the-secret') },
    body,
  });
  expect(forged.status).toBe(401);
  const accepted = await fetch(url!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'pipewright-signature': sign(secretValue) },
    body,
  });
  expect(accepted.status).toBe(202);
  const { runId } = (await accepted.json()) as { runId: string };
  const run = await expectSucceeded(client, runId);
  expect(run.output!.messageId).toMatch(/^<.+@.+>$/);
  const runs = (await (await client.get(`/runs?workflow=${key}`)).json()) as { items: unknown[] };
  expect(runs.items).toHaveLength(1);

  await expectInOutbox(page, `New message from ${sender}`, recipient);
});

test('order saga: a failing payment call is compensated by releasing the reservation', async ({ request }) => {
  const client = api(request);
  const orders = await serve((hit) => {
    if (hit.method === 'POST' && hit.url === '/inventory/reservations') {
      return [201, { reservationId: `R-${String((JSON.parse(hit.body) as { orderId: string }).orderId)}` }];
    }
    if (hit.method === 'POST' && hit.url === '/payments') return [402, { error: 'card declined' }];
    if (hit.method === 'DELETE' && hit.url.startsWith('/inventory/reservations/')) return [200, {}];
    return [404, { error: 'no such route' }];
  });
  try {
    const key = await importAndPublish(client, 'order-saga', { ORDER_API_URL: orders.origin });
    const orderId = unique('ORD');
    const runId = await startRun(request, key, { orderId, sku: 'BOOK-1', quantity: 2, amount: 39.9 });
    const run = await expectSucceeded(client, runId);
    expect(run.output).toMatchObject({ orderId, outcome: 'compensated' });
    expect(run.output!.reason).toBe(`POST ${new URL(orders.origin).host} answered 402`);
    expect(orders.hits.map((hit) => `${hit.method} ${hit.url}`)).toEqual([
      'POST /inventory/reservations',
      'POST /payments',
      `DELETE /inventory/reservations/R-${orderId}`,
    ]);
    const steps = await stepsOf(client, runId);
    const status = (stepId: string) => steps.filter((step) => step.stepId === stepId).map((step) => step.status);
    expect(status('charge_payment')).toEqual(['FAILED']);
    expect(status('release_reservation')).toEqual(['SUCCEEDED']);
    expect(status('completed')).toEqual([]);
  } finally {
    await orders.close();
  }
});

test('scheduled report: "Fire now" on its schedule fetches the figures and emails the total', async ({
  page,
  request,
}) => {
  const client = api(request);
  const reports = await serve((hit) =>
    hit.method === 'GET' && hit.url === '/sales?period=weekly'
      ? [200, { orders: [{ amount: 10 }, { amount: 32.5 }, { amount: 7.5 }] }]
      : [404, { error: 'no such route' }],
  );
  try {
    const recipient = `${unique('managers')}@example.com`;
    const key = await importAndPublish(client, 'scheduled-report', {
      REPORT_API_URL: reports.origin,
      REPORT_TO: recipient,
    });
    const trigger = await addTrigger(client, key, {
      type: 'schedule',
      config: { cron: '0 8 * * 1-5', timezone: 'UTC', input: { period: 'weekly' } },
    });
    const fired = await client.post(`/triggers/${trigger.id}/fire`);
    expect(fired.status(), await fired.text()).toBe(202);
    const { runId } = (await fired.json()) as { runId: string };
    const run = await expectSucceeded(client, runId);
    expect(run.output).toEqual({ period: 'weekly', orders: 3, total: 50 });
    expect(reports.hits.map((hit) => `${hit.method} ${hit.url}`)).toEqual(['GET /sales?period=weekly']);
    await expectInOutbox(page, 'Sales report (weekly): 50', recipient);
  } finally {
    await reports.close();
  }
});

test('event fan-out: an order.placed event starts it; forEach emits one item.ordered per line, each starting a picker run', async ({
  request,
}) => {
  const client = api(request);
  const key = await importAndPublish(client, 'event-fan-out');
  const placed = unique('order.placed');
  await addTrigger(client, key, { type: 'event', config: { event: placed } });
  const orderId = unique('ORD');
  // "Other workflows pick them up": a picker listening for this order's item.ordered events.
  const picker = unique('pick-line');
  expect((await client.post('/workflows', { key: picker, name: picker })).status()).toBe(201);
  const saved = await client.post(`/workflows/${picker}/versions`, {
    key: picker,
    name: picker,
    steps: [{ id: 'pick', type: 'state.set', config: { state: 'picked' } }],
    output: { $expr: "{ 'sku': payload.sku, 'line': payload.line }" },
  });
  expect(saved.status(), await saved.text()).toBeLessThan(300);
  expect((await client.post(`/workflows/${picker}/versions/1/publish`)).status()).toBe(200);
  await addTrigger(client, picker, {
    type: 'event',
    config: { event: 'item.ordered', filter: `payload.orderId = '${orderId}'` },
  });

  const lines = [
    { sku: `${orderId}-A`, quantity: 1 },
    { sku: `${orderId}-B`, quantity: 3 },
    { sku: `${orderId}-C`, quantity: 2 },
  ];
  const delivered = await client.post('/events', { event: placed, payload: { orderId, lines } });
  expect(delivered.status(), await delivered.text()).toBe(200);
  const { started } = (await delivered.json()) as { started: string[] };
  expect(started).toHaveLength(1);
  const run = await expectSucceeded(client, started[0]!);
  expect(run.output).toEqual({ orderId, emitted: lines.map((line) => line.sku) });

  // One iteration per line, each emitting an event that started exactly one picker run.
  const emits = (await stepsOf(client, run.id)).filter((step) => step.stepId === 'emit_item');
  expect(emits.map((step) => step.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  expect(new Set(emits.map((step) => step.path)).size).toBe(3);
  const pickerRuns = emits.flatMap((step) => (step.output as { started: string[] }).started);
  expect(pickerRuns).toHaveLength(3);
  const picked = [];
  for (const pickerRun of pickerRuns) picked.push((await expectSucceeded(client, pickerRun)).output);
  expect(picked.sort((a, b) => String(a!.sku).localeCompare(String(b!.sku)))).toEqual(
    lines.map((line, index) => ({ sku: line.sku, line: index + 1 })),
  );
});

test('call an API with retries: two 503s are retried with one Idempotency-Key, the third answer is used', async ({
  request,
}) => {
  const client = api(request);
  let failuresLeft = 2;
  const customers = await serve((hit) => {
    if (hit.method !== 'GET' || hit.url !== '/customers/C-100') return [404, { error: 'no such route' }];
    if (failuresLeft-- > 0) return [503, { error: 'try later' }];
    return [200, { id: 'C-100', name: 'Ada Lovelace', plan: 'pro' }];
  });
  try {
    const key = await importAndPublish(client, 'api-with-retries', { API_BASE_URL: customers.origin });
    const runId = await startRun(request, key, { customerId: 'C-100' });
    const run = await expectSucceeded(client, runId);
    expect(run.output).toEqual({ id: 'C-100', name: 'Ada Lovelace', status: 200 });
    expect(customers.hits.map((hit) => `${hit.method} ${hit.url}`)).toEqual([
      'GET /customers/C-100',
      'GET /customers/C-100',
      'GET /customers/C-100',
    ]);
    const keys = new Set(customers.hits.map((hit) => hit.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toBeTruthy();
    const attempts = (await stepsOf(client, runId))
      .filter((step) => step.stepId === 'fetch_customer')
      .sort((a, b) => a.attempt - b.attempt);
    expect(attempts.map((step) => [step.attempt, step.status])).toEqual([
      [1, 'FAILED'],
      [2, 'FAILED'],
      [3, 'SUCCEEDED'],
    ]);
  } finally {
    await customers.close();
  }
});
