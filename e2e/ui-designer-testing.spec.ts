import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

// Issue #18 friction 2: testing without publishing. A draft that was never published is
// tested step by step, run as a test run with its outside call mocked, and that run is pinned
// into the designer so every step shows its values.

const SHOTS = 'test-results/screenshots';
const field = (page: Page, path: string) => page.locator(`[data-config-path="${path}"]`).first();
const card = (page: Page, stepId: string) => page.locator(`[data-step-header="${stepId}"]`);

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SHOTS}/testing-${name}-${width}.png`, fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('a draft: Test step on sample data, Run draft with outside effects mocked, pin the run and see its values', async ({
  page,
  request,
}) => {
  // One person's whole session on a machine shared by many builds: pages can take a while.
  test.setTimeout(240_000);
  const client = api(request);
  const key = unique('draft-test');
  expect((await client.post('/workflows', { key, name: 'Draft testing' })).status()).toBe(201);
  const saved = await client.post(`/workflows/${key}/versions`, {
    key,
    name: 'Draft testing',
    parameterSchema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] },
    steps: [
      { id: 'double', type: 'transform.assign', config: { assign: { 'vars.total': { $expr: 'payload.amount * 2' } } } },
      {
        id: 'notify',
        type: 'action.call',
        config: {
          action: 'http.request',
          version: 1,
          // Nothing listens here: a real call would fail the run. Mocked, it is never made.
          input: { method: 'POST', url: 'http://127.0.0.1:9/notify', body: { total: { $expr: 'vars.total' } } },
          saveAs: 'vars.notified',
        },
      },
      { id: 'note', type: 'log', config: { level: 'info', message: 'done' } },
    ],
  });
  expect(saved.status(), await saved.text()).toBeLessThan(300);

  await signIn(page);
  await page.goto(`/workflows/${key}`);

  // Test step on sample data: the draft's own step, never published.
  await card(page, 'double').click();
  const testing = page.getByTestId('test-step');
  await testing.getByLabel('Envelope (payload, vars)').fill('{ "payload": { "amount": 21 }, "vars": {} }');
  await testing.getByRole('button', { name: 'Test step' }).click();
  const result = page.getByTestId('test-step-result');
  await expect(result).toContainText('SUCCEEDED');
  await expect(result.getByLabel('Assigned vars')).toContainText('"vars.total": 42');
  // A broken sample is named, nothing sent.
  await testing.getByLabel('Envelope (payload, vars)').fill('{ nope');
  await testing.getByRole('button', { name: 'Test step' }).click();
  await expect(testing).toContainText('Sample data is not valid JSON');
  await shoot(page, 'test-step');

  // Run draft: a real run, marked test, its HTTP call mocked (the default).
  await page.getByRole('button', { name: 'Run draft' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run the draft' });
  await dialog.getByLabel(/^Input/).fill('{ "amount": "five" }');
  await dialog.getByRole('button', { name: 'Start test run' }).click();
  await expect(dialog.getByRole('alert')).toContainText('input.amount');
  await dialog.getByLabel(/^Input/).fill('{ "amount": 5 }');
  await expect(dialog.getByLabel(/^Mock outside effects/)).toBeChecked();
  await dialog.getByRole('button', { name: 'Start test run' }).click();
  const opened = page.getByRole('link', { name: 'Open the test run' });
  await expect(opened).toBeVisible();
  const runId = ((await opened.getAttribute('href')) ?? '').replace('/runs/', '');
  await expect.poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status as string).toBe('SUCCEEDED');
  expect(await (await client.get(`/runs/${runId}`)).json()).toMatchObject({ test: true, mockActions: true });

  // Pin it from the designer's picker.
  await page.getByRole('button', { name: 'Pin run…' }).click();
  await page
    .getByRole('dialog', { name: 'Pin a run' })
    .getByRole('button', { name: new RegExp(runId.slice(0, 8)) })
    .click();
  await expect(page.getByTestId('pinned-banner')).toContainText(runId.slice(0, 8));
  await expect(card(page, 'notify').getByTestId('pinned-mark')).toHaveAttribute(
    'aria-label',
    'On the pinned run: succeeded',
  );
  await card(page, 'note').click();
  const pinned = page.getByTestId('pinned-step-data');
  await expect(pinned.getByLabel('Pinned input envelope')).toContainText('"total": 10');
  await expect(pinned.getByLabel('Pinned input envelope')).toContainText('"notified": null');
  // The field picker shows the run's values.
  const message = field(page, 'config.message');
  await message.getByRole('radio', { name: 'Expression' }).click();
  await message.getByRole('button', { name: 'Insert field' }).click();
  const total = message.getByRole('list', { name: 'Fields' }).getByRole('button', { name: /^vars\.total\b/ });
  await expect(total.getByTestId('pinned-value')).toHaveText('10');
  // Try it starts from the step's envelope on that run.
  await message.getByRole('button', { name: 'Try it' }).click();
  await expect(message.getByLabel('Sample data')).toHaveValue(/"total": 10/);
  // Test step on this step starts from it too.
  await expect(page.getByTestId('test-step').getByLabel('Envelope (payload, vars)')).toHaveValue(/"total": 10/);
  await shoot(page, 'pinned');

  // Test step on a recent run: the notify step on the envelope that run had before it, mocked.
  await card(page, 'notify').click();
  const onRun = page.getByTestId('test-step');
  await onRun.getByRole('radio', { name: 'A recent run' }).click();
  await onRun.getByLabel('Run to test on').click();
  await page.getByRole('option', { name: new RegExp(runId.slice(0, 8)) }).click();
  await onRun.getByRole('button', { name: 'Test step' }).click();
  await expect(page.getByTestId('test-step-result')).toContainText('Mocked: notify (http.request@1)');

  // The run page marks the test run and opens it in the designer with its data pinned.
  await page.goto(`/runs/${runId}`);
  await expect(page.getByText('Test · mocked').first()).toBeVisible();
  await shoot(page, 'run-page');
  await page.getByRole('link', { name: 'Debug in editor' }).click();
  await expect(page.getByTestId('pinned-banner')).toContainText(runId.slice(0, 8));

  // The runs list filters test runs.
  await page.goto(`/runs?test=true&workflow=${key}`);
  await expect(page.getByRole('link', { name: runId.slice(0, 8) })).toBeVisible();
  await expect(page.getByLabel('Test runs', { exact: true })).toHaveText('Test runs only');
  await shoot(page, 'runs-list');
  await page.goto(`/runs?test=false&workflow=${key}`);
  await expect(page.getByRole('link', { name: runId.slice(0, 8) })).toHaveCount(0);
});
