import { expect, test, type APIResponse, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

// Issue #15, item 3: security headers on pages and API, a nonce-based CSP that every page
// works under, and no framing.

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

function expectCommonHeaders(response: APIResponse, what: string): void {
  const headers = response.headers();
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['referrer-policy'], what).toBe('same-origin');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['content-security-policy'], what).toContain("frame-ancestors 'none'");
}

function directive(csp: string, name: string): string[] {
  const found = csp
    .split(';')
    .map((part) => part.trim().split(/\s+/))
    .find(([key]) => key === name);
  return found ? found.slice(1) : [];
}

test('pages and API answers carry the security headers; pages get a fresh script nonce each time', async ({
  page,
  request,
}) => {
  const signInPage = await request.get('/sign-in');
  expectCommonHeaders(signInPage, '/sign-in');
  const csp = signInPage.headers()['content-security-policy']!;
  const scripts = directive(csp, 'script-src');
  expect(scripts.some((source) => /^'nonce-[A-Za-z0-9+/=_-]{16,}'$/.test(source))).toBe(true);
  expect(scripts).not.toContain("'unsafe-inline'");
  expect(scripts).not.toContain("'unsafe-eval'");
  expect(directive(csp, 'object-src')).toEqual(["'none'"]);
  expect(directive(csp, 'base-uri')).toEqual(["'none'"]);
  // Next's own inline scripts carry this response's nonce.
  const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
  expect(await signInPage.text()).toContain(`nonce="${nonce}"`);
  const again = (await request.get('/sign-in')).headers()['content-security-policy']!;
  expect(/'nonce-([^']+)'/.exec(again)![1]).not.toBe(nonce);

  expectCommonHeaders(await request.get('/api/v1/health'), '/api/v1/health');
  expectCommonHeaders(await request.get('/api/v1/workflows'), '/api/v1/workflows (401)');
  expectCommonHeaders(await request.get('/overview', { maxRedirects: 0 }), '/overview signed out');

  await signIn(page);
  const overview = await page.request.get('/overview');
  expectCommonHeaders(overview, '/overview');
  const chunk = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(await overview.text())?.[1];
  expect(chunk).toBeDefined();
  expect((await page.request.get(chunk!)).headers()['x-content-type-options']).toBe('nosniff');
});

test('no page of the app can be framed, not even by a page of its own origin', async ({ page, baseURL }) => {
  await signIn(page);
  await page.route(`${baseURL}/__framing-probe`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><title>probe</title><iframe src="/settings/tokens" width="800" height="600"></iframe>',
    }),
  );
  const refused = page.waitForEvent('console', {
    predicate: (message) => /frame-ancestors 'none'|X-Frame-Options/.test(message.text()),
  });
  await page.goto('/__framing-probe');
  await refused;
  await expect(page.frameLocator('iframe').getByRole('heading', { name: 'API tokens' })).toHaveCount(0);
});

/** Visits a page and returns every CSP violation (event or console report) it caused. */
async function visit(page: Page, path: string, ready: (page: Page) => Promise<void>): Promise<string[]> {
  const reports: string[] = [];
  const onConsole = (message: { text: () => string }) => {
    if (/Content Security Policy|Refused to/.test(message.text())) reports.push(message.text());
  };
  page.on('console', onConsole);
  await page.goto(path);
  await ready(page);
  await page.waitForLoadState('load');
  // Next's client runtime ran: it would not have, had its scripts been blocked.
  await expect
    .poll(() => page.evaluate(() => typeof (window as unknown as { next?: { version?: string } }).next?.version), {
      message: path,
    })
    .toBe('string');
  const events = await page.evaluate(() => window.__cspViolations ?? []);
  page.off('console', onConsole);
  return [...reports, ...events];
}

test('every page works under the CSP without a single violation', async ({ page, request }) => {
  test.setTimeout(180_000);
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations!.push(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  const heading = (name: string | RegExp) => async (p: Page) => {
    await expect(p.getByRole('heading', { name, level: 1 })).toBeVisible();
  };
  const violations: Record<string, string[]> = {};
  const record = async (path: string, ready: (p: Page) => Promise<void>) => {
    const found = await visit(page, path, ready);
    if (found.length > 0) violations[path] = found;
  };

  await record('/sign-in', async (p) => expect(p.getByRole('button', { name: 'Sign in' })).toBeVisible());

  // A workflow with a task (inbox, task page), nested blocks (designer, graph) and a run.
  const client = api(request);
  const key = unique('csp-pages');
  expect((await client.post('/workflows', { key, name: 'CSP pages' })).status()).toBe(201);
  const definition = {
    key,
    name: 'CSP pages',
    parameterSchema: { type: 'object', properties: { amount: { type: 'number' } } },
    steps: [
      { id: 'total', type: 'transform.assign', config: { assign: { 'vars.total': { $expr: 'payload.amount * 2' } } } },
      {
        id: 'big',
        type: 'control.if',
        config: {
          condition: { $expr: 'vars.total > 10' },
          then: [
            {
              id: 'approve',
              type: 'human.task',
              config: {
                title: 'Approve the CSP run',
                form: { type: 'object', properties: { note: { type: 'string' } } },
                outcomes: ['approve', 'reject'],
                assignee: { role: 'admin' },
              },
            },
          ],
          else: [{ id: 'echo', type: 'action.call', config: { action: 'core.echo', version: 1, input: { ok: true } } }],
        },
      },
    ],
  };
  expect((await client.post(`/workflows/${key}/versions`, definition)).status()).toBeLessThan(300);
  expect((await client.post(`/workflows/${key}/versions/1/publish`)).status()).toBe(200);
  const started = await client.post(`/workflows/${key}/runs`, { input: { amount: 20 } });
  const runId = (await started.json()).runId as string;
  await expect.poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status).toBe('WAITING');
  const tasks = (await (await client.get('/tasks?status=open')).json()).items as Array<{ id: string; runId: string }>;
  const taskId = tasks.find((task) => task.runId === runId)!.id;

  await signIn(page);
  const pages: Array<[string, (p: Page) => Promise<void>]> = [
    ['/overview', heading('Overview')],
    ['/workflows', heading('Workflows')],
    [`/workflows/${key}`, async (p) => expect(p.getByText('Approve the CSP run').first()).toBeVisible()],
    [`/workflows/${key}/versions`, async (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    [`/workflows/${key}/versions/1`, async (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    [`/workflows/${key}/triggers`, async (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    ['/runs', async (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    [`/runs/${runId}`, async (p) => expect(p.getByText('Approve the CSP run').first()).toBeVisible()],
    ['/inbox', async (p) => expect(p.getByText('Approve the CSP run').first()).toBeVisible()],
    [`/inbox/${taskId}`, heading('Approve the CSP run')],
    ['/events', heading('Events')],
    ['/outbox', heading('Outbox')],
    ['/settings/account', heading('Account')],
    ['/settings/members', async (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    ['/settings/tokens', heading('API tokens')],
    ['/settings/secrets', heading('Secrets')],
    ['/settings/audit', async (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    ['/settings/tenants', async (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible()],
    ['/no-such-page', heading('This page does not exist')],
  ];
  for (const [path, ready] of pages) await record(path, ready);
  // Other specs expect the admin's inbox empty: the run and its task end here.
  expect((await client.post(`/runs/${runId}/cancel`, { reason: 'CSP page check done' })).status()).toBe(200);
  expect(violations).toEqual({});
});
