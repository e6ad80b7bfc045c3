import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, E2E_BOOTSTRAP_TOKEN, signIn } from './support';
import { unique } from './ui-support';

type TClient = ReturnType<typeof api>;

async function publish(client: TClient, key: string, document: Record<string, unknown>): Promise<void> {
  expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
  const saved = await client.post(`/workflows/${key}/versions`, { key, name: key, ...document });
  expect(saved.status(), await saved.text()).toBeLessThan(300);
  const published = await client.post(`/workflows/${key}/versions/1/publish`);
  expect(published.status(), await published.text()).toBe(200);
}

/** Screenshots at 1440 and 390 px wide, each checked for horizontal scrolling. */
async function shootBothWidths(page: Page, name: string): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} at ${width}px scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `test-results/screenshots/operations-${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('Settings → Tenant: an admin sets retention and limits; a bad value is named and nothing is saved', async ({
  page,
  request,
}) => {
  await signIn(page);
  await page.goto('/settings');
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Tenant', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Tenant' })).toBeVisible();
  const retention = page.getByLabel('Keep ended runs for (days)');
  const concurrent = page.getByLabel('Runs going at once, at most');

  await retention.fill('0');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('retentionDays must be at least 1')).toBeVisible();
  expect((await (await api(request).get('/tenant')).json()).settings.retentionDays).toBeNull();

  await retention.fill('45');
  await concurrent.fill('25');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  expect((await (await api(request).get('/tenant')).json()).settings).toEqual({
    retentionDays: 45,
    maxConcurrentRuns: 25,
    runsPerMinute: null,
    artifactQuotaBytes: null,
  });
  await page.reload();
  await expect(retention).toHaveValue('45');
  await shootBothWidths(page, 'tenant-settings');

  // Back to no limit, so the other specs' runs are not held by it.
  await concurrent.fill('');
  await retention.fill('');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  expect((await (await api(request).get('/tenant')).json()).settings.maxConcurrentRuns).toBeNull();
});

test('the run page exports the run as JSON and an admin deletes an ended run; the Overview shows what needs attention', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('export');
  await publish(client, key, {
    steps: [{ id: 'set', type: 'transform.assign', config: { assign: { 'vars.greeting': 'hello' } } }],
    output: { $expr: 'vars.greeting' },
  });
  const started = await client.post(`/workflows/${key}/runs`, { input: {}, mode: 'sync', waitMs: 20_000 });
  const { runId } = (await started.json()) as { runId: string };
  await expect.poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status).toBe('SUCCEEDED');

  await signIn(page);
  await page.goto(`/runs/${runId}`);
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export JSON' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`run-${runId}.json`);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  const document = JSON.parse(readFileSync(path, 'utf8')) as { run: { id: string; output: unknown }; steps: unknown[] };
  expect(document.run).toMatchObject({ id: runId, output: 'hello' });
  expect(document.steps).toHaveLength(1);
  await shootBothWidths(page, 'run-page');

  await page.getByRole('button', { name: 'Delete run' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete run' }).click();
  await expect(page).toHaveURL(/\/runs$/);
  expect((await client.get(`/runs/${runId}`)).status()).toBe(404);

  // A run that stays, so the Overview has something to show besides its empty state.
  expect((await client.post(`/workflows/${key}/runs`, { input: {} })).status()).toBe(202);
  await page.goto('/overview');
  await expect(page.getByRole('heading', { name: 'Needs attention' })).toBeVisible();
  await shootBothWidths(page, 'overview');
});

test('the Overview at phone width: a long workflow key under Needs attention is cut short, not pushing the page sideways', async ({
  page,
  request,
}) => {
  // CI failed once because another spec had left a queued run: its 63-character key widened
  // the single-column grid (auto tracks grow to their content) and the page scrolled by 693 px.
  const client = api(request);
  const key = `longkey${Date.now().toString(36)}${'x'.repeat(63)}`.slice(0, 63);
  await publish(client, key, {
    settings: { maxConcurrentRuns: 1 },
    steps: [{ id: 'wait', type: 'time.delay', config: { durationMs: 3_600_000 } }],
  });
  const runIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    const started = await client.post(`/workflows/${key}/runs`, { input: {} });
    expect(started.status()).toBe(202);
    runIds.push(((await started.json()) as { runId: string }).runId);
  }
  try {
    await signIn(page);
    await page.goto('/overview');
    const queued = page.getByRole('region', { name: 'Oldest queued run' });
    await expect(queued.getByText(key)).toBeVisible();
    await shootBothWidths(page, 'overview-long-key');
  } finally {
    // Neither the hour-long wait nor the run it holds back should show on other specs' pages.
    for (const runId of runIds.reverse()) await client.post(`/runs/${runId}/cancel`, { reason: 'overview check done' });
  }
});

test('alerts: a rule made in Settings shows on its workflow; a paused workflow says so and Resume clears it', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('alerted');
  await publish(client, key, {
    steps: [{ id: 'set', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }],
  });
  await signIn(page);
  await page.goto('/settings/alerts');
  await page.getByRole('button', { name: 'New alert' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Webhook URL').fill('https://hooks.example.com/pipewright');
  // No threshold: the server names the field, and nothing is created.
  await dialog.getByRole('button', { name: 'Create alert' }).click();
  await expect(dialog.getByText('failureRate needs a threshold between 0 and 1')).toBeVisible();
  await dialog.getByLabel('Workflow').click();
  await page.getByRole('option', { name: key }).click();
  await dialog.getByLabel('Failed runs, at least (%)').fill('50');
  await dialog.getByLabel('Once at least this many runs ended').fill('5');
  await dialog.getByLabel(`Pause ${key} when it fires`, { exact: false }).check();
  await dialog.getByRole('button', { name: 'Create alert' }).click();
  await expect(dialog.getByTestId('shown-once-value')).toHaveText(/^whsec_/);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('table').getByText(key, { exact: true })).toBeVisible();
  await expect(page.getByRole('table').getByText('pauses it')).toBeVisible();
  await shootBothWidths(page, 'alerts-settings');

  const rules = (await (await client.get(`/alerts?workflow=${key}`)).json()) as { items: { pauseWorkflow: boolean }[] };
  expect(rules.items).toHaveLength(1);
  expect(rules.items[0]!.pauseWorkflow).toBe(true);

  await page.goto(`/workflows/${key}/alerts`);
  await expect(page.getByText('≥ 50% failed over 15 min, once 5 ended')).toBeVisible();

  // Paused (as the alert would), the designer says so; Resume clears it.
  const patched = await request.patch(`/api/v1/workflows/${key}`, {
    headers: { authorization: `Bearer ${E2E_BOOTSTRAP_TOKEN}` },
    data: { paused: true },
  });
  expect(patched.status(), await patched.text()).toBe(200);
  await page.goto(`/workflows/${key}`);
  await expect(page.getByText('New runs of this workflow wait QUEUED')).toBeVisible();
  await shootBothWidths(page, 'workflow-paused');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByText('New runs of this workflow wait QUEUED')).toBeHidden();
  expect((await (await client.get(`/workflows/${key}`)).json()).paused).toBe(false);

  await page.goto('/overview');
  await expect(page.getByRole('heading', { name: 'Alerts' })).toBeVisible();
});
