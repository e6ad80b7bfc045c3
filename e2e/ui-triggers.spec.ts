import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { addMemberThroughUi, chooseOption, unique } from './ui-support';

type TClient = ReturnType<typeof api>;

/** Creates and publishes a workflow through the API, as a script would. */
async function publish(client: TClient, key: string, name: string, document: Record<string, unknown>): Promise<void> {
  expect((await client.post('/workflows', { key, name })).status()).toBe(201);
  const saved = await client.post(`/workflows/${key}/versions`, { key, name, ...document });
  expect(saved.status(), await saved.text()).toBeLessThan(300);
  const published = await client.post(`/workflows/${key}/versions/1/publish`);
  expect(published.status(), await published.text()).toBe(200);
}

async function triggersOf(
  client: TClient,
  key: string,
): Promise<Array<{ id: string; type: string; enabled: boolean }>> {
  return (await (await client.get(`/workflows/${key}/triggers`)).json()).items;
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: `test-results/screenshots/triggers-${name}.png`, fullPage: true });
}

/** A control of the generated run form, by its label (which may end in the required marker). */
function control(scope: Locator, label: string): Locator {
  return scope.getByLabel(new RegExp(`^${label}\\b`));
}

const SIMPLE = {
  parameterSchema: {
    type: 'object',
    required: ['amount'],
    properties: { amount: { type: 'number', title: 'Amount' } },
  },
  steps: [
    { id: 'double', type: 'transform.assign', config: { assign: { 'vars.total': { $expr: 'payload.amount * 2' } } } },
  ],
  output: { $expr: 'vars.total' },
};

/** A published workflow's Triggers tab, signed in, with the New trigger dialog open. */
async function openNewTriggerDialog(page: Page, client: TClient, key: string, name: string) {
  await publish(client, key, name, SIMPLE);
  await signIn(page);
  await page.goto(`/workflows/${key}/triggers`);
  await page.getByRole('button', { name: 'New trigger' }).click();
  return page.getByRole('dialog', { name: 'New trigger' });
}

test('the run form checks every field inline, keeps what was typed, and the run it starts opens and finishes', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('trg-run');
  const name = 'Quarterly supplier invoice reconciliation and approval for the EMEA finance team';
  await publish(client, key, name, {
    parameterSchema: {
      type: 'object',
      required: ['email', 'amount', 'approver'],
      properties: {
        email: { type: 'string', format: 'email', title: 'Email' },
        amount: { type: 'number', title: 'Amount', minimum: 1, maximum: 1000 },
        priority: { type: 'string', title: 'Priority', enum: ['low', 'high'] },
        urgent: { type: 'boolean', title: 'Urgent' },
        approver: {
          type: 'object',
          title: 'Approver',
          required: ['name'],
          properties: { name: { type: 'string', title: 'Approver name', minLength: 1 } },
        },
        lines: {
          type: 'array',
          title: 'Lines',
          items: {
            type: 'object',
            title: 'Line',
            required: ['sku'],
            properties: {
              sku: { type: 'string', title: 'SKU', minLength: 1 },
              qty: { type: 'integer', title: 'Quantity', minimum: 1 },
            },
          },
        },
      },
    },
    steps: [
      { id: 'sum', type: 'transform.assign', config: { assign: { 'vars.total': { $expr: 'payload.amount * 2' } } } },
    ],
    output: { $expr: '{"total": vars.total, "email": payload.email, "lines": $count(payload.lines)}' },
  });
  await signIn(page);

  // The designer's Run button links here with ?run=1: the dialog is open on arrival; Escape closes it and drops the flag.
  await page.goto(`/workflows/${key}`);
  await page.getByRole('link', { name: 'Run', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/workflows/${key}/triggers\\?run=1$`));
  const dialog = page.getByRole('dialog', { name: `Run ${name}` });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Starts version 1');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`/workflows/${key}/triggers$`));
  await expect(page.getByRole('heading', { name: 'No triggers yet' })).toBeVisible();
  await shoot(page, 'empty');

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(dialog).toBeVisible();
  await control(dialog, 'Email').fill('not-an-email');
  await control(dialog, 'Amount').fill('5000');
  await dialog.getByRole('button', { name: 'Add Line' }).click();
  await dialog.getByRole('button', { name: 'Start run' }).click();
  await expect(dialog.getByRole('alert')).toContainText('problems with the form');
  await expect(dialog).toContainText('Must be an email address');
  await expect(dialog).toContainText('Must be at most 1000.');
  // Nested: the approver's name and the line's SKU are missing.
  await expect(dialog.getByRole('alert').getByRole('link', { name: /Approver name: Required/ })).toBeVisible();
  await expect(dialog.getByRole('alert').getByRole('link', { name: /Lines › Line 1 › SKU: Required/ })).toBeVisible();
  // The summary at the top lists every problem; show that part of the scrolled dialog.
  await dialog.evaluate((element) => element.scrollTo(0, 0));
  await shoot(page, 'run-dialog-errors');
  expect((await (await client.get(`/runs?workflow=${key}`)).json()).items).toHaveLength(0);

  // Fixing a field clears its message at once; nothing typed was lost.
  await control(dialog, 'Amount').fill('21');
  await expect(dialog).not.toContainText('Must be at most 1000.');
  await expect(control(dialog, 'Email')).toHaveValue('not-an-email');
  await control(dialog, 'Email').fill('ap@example.com');
  await control(dialog, 'Approver name').fill('Dana');
  await control(dialog, 'SKU').fill('A-100');
  await control(dialog, 'Quantity').fill('3');
  await dialog.getByLabel('Priority').selectOption({ label: 'high' });
  await dialog.getByLabel('Urgent').check();
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  // Enter submits from any field.
  await control(dialog, 'SKU').press('Enter');

  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = page.url().split('/').pop() ?? '';
  await expect(page.locator('main').getByText('succeeded', { exact: true }).first()).toBeVisible({ timeout: 20_000 });
  const run = await (await client.get(`/runs/${runId}`)).json();
  expect(run.trigger.type).toBe('manual');
  expect(run.input).toEqual({
    email: 'ap@example.com',
    amount: 21,
    priority: 'high',
    urgent: true,
    approver: { name: 'Dana' },
    lines: [{ sku: 'A-100', qty: 3 }],
  });
  expect(run.output).toEqual({ total: 42, email: 'ap@example.com', lines: 1 });
});

test('a workflow with nothing published says so instead of showing a form', async ({ page, request }) => {
  const client = api(request);
  const key = unique('trg-draft');
  expect((await client.post('/workflows', { key, name: 'Only a draft' })).status()).toBe(201);
  await signIn(page);
  await page.goto(`/workflows/${key}/triggers?run=1`);
  const dialog = page.getByRole('dialog', { name: 'Run Only a draft' });
  await expect(dialog.getByRole('status')).toContainText('has no published version to run yet. Publish it first.');
  await expect(dialog.locator('form')).toHaveCount(0);
});

test('a webhook made in the UI starts a run when POSTed to, and the firing links to it; disable, enable, delete', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('trg-hook');
  const dialog = await openNewTriggerDialog(page, client, key, 'Webhook intake');
  await expect(dialog.getByLabel('Type', { exact: true })).toHaveText('Webhook');
  await dialog.getByRole('button', { name: 'Create trigger' }).click();
  await expect(dialog).toBeHidden();

  const card = page.getByRole('article', { name: 'Webhook trigger' });
  await expect(card).toBeVisible();
  const url = (await card.getByTestId('webhook-url').textContent())?.trim() ?? '';
  expect(url).toMatch(new RegExp(`/api/v1/hooks/pwh_[A-Za-z0-9_-]{43}$`));
  await expect(card.locator('pre')).toContainText(`curl -X POST '${url}'`);
  await expect(card.locator('pre')).toContainText(`--data-binary '{"amount":0}'`);
  await expect(card.getByRole('region', { name: 'Last firings' })).toContainText('Not fired yet.');

  const fired = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 4 }),
  });
  expect(fired.status, await fired.clone().text()).toBe(202);
  const { runId } = (await fired.json()) as { runId: string };
  // A body that does not match the parameter schema starts nothing and shows as rejected.
  const invalid = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 'four' }),
  });
  expect(invalid.status).toBe(422);

  await page.reload();
  const firings = card.getByTestId('trigger-firing');
  await expect(firings).toHaveCount(2);
  await expect(firings.nth(0)).toContainText('rejected');
  await expect(firings.nth(1)).toContainText('started');
  await shoot(page, 'webhook');
  await firings
    .nth(1)
    .getByRole('link', { name: `Run ${runId}` })
    .click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
  await expect(page.locator('main').getByText('succeeded', { exact: true }).first()).toBeVisible({ timeout: 20_000 });

  // Off: the URL answers 404 like an unknown one; on again: it works.
  await page.goto(`/workflows/${key}/triggers`);
  const toggle = card.getByRole('switch', { name: 'Webhook trigger enabled' });
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  await expect(card).toContainText('off');
  expect((await triggersOf(client, key))[0]?.enabled).toBe(false);
  expect(
    (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":1}' }))
      .status,
  ).toBe(404);
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  expect((await triggersOf(client, key))[0]?.enabled).toBe(true);
  expect(
    (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":1}' }))
      .status,
  ).toBe(202);

  // Delete asks first; Cancel keeps it, confirming removes it and the URL stops working.
  await card.getByRole('button', { name: 'Delete webhook trigger' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete this webhook trigger?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: 'Delete webhook trigger' }).click();
  await confirm.getByRole('button', { name: 'Delete trigger' }).click();
  await expect(card).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'No triggers yet' })).toBeVisible();
  expect(await triggersOf(client, key)).toHaveLength(0);
  expect(
    (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":1}' }))
      .status,
  ).toBe(404);
});

test('a signed webhook shows how to sign (never the secret) and refuses unsigned requests', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('trg-signed');
  const secretName = unique('HOOK_SECRET').toUpperCase().replace(/-/g, '_');
  const secretValue = `whsec-${unique('v')}`;
  expect((await client.post('/secrets', { name: secretName, value: secretValue })).status()).toBe(201);
  const dialog = await openNewTriggerDialog(page, client, key, 'Signed intake');
  await chooseOption(page, dialog, 'Signing secret', secretName);
  await chooseOption(page, dialog, 'Mode', 'sync: wait for the run and answer with its output');
  await dialog.getByRole('button', { name: 'Create trigger' }).click();
  const card = page.getByRole('article', { name: 'Webhook trigger' });
  await expect(card.getByLabel('Signing recipe')).toContainText(`with the value of secret ${secretName} as the key`);
  await expect(card.locator('pre')).toContainText('Pipewright-Signature: t=$t,v1=$sig');
  expect(await page.content()).not.toContain(secretValue);
  const url = (await card.getByTestId('webhook-url').textContent())?.trim() ?? '';

  const body = JSON.stringify({ amount: 5 });
  expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(
    401,
  );
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secretValue).update(`${t}.${body}`).digest('hex');
  const signed = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'pipewright-signature': `t=${t},v1=${v1}` },
    body,
  });
  expect(signed.status, await signed.clone().text()).toBe(200);
  expect(((await signed.json()) as { output: unknown }).output).toBe(10);
});

test('a bad cron is refused at its field and creates nothing; a good one lists its next five fire times in its zone', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('trg-cron');
  const dialog = await openNewTriggerDialog(page, client, key, 'Nightly export');
  await chooseOption(page, dialog, 'Type', 'Schedule');
  await dialog.getByLabel('Cron').fill('61 2 * * *');
  await dialog.getByLabel('Time zone').fill('Mars/Olympus');
  await dialog.getByLabel('Input (JSON)').fill('{"amount": 3}');
  await dialog.getByRole('button', { name: 'Create trigger' }).click();
  await expect(dialog.locator('#trigger-cron-message')).toContainText('Cron is not a valid cron expression');
  await expect(dialog.locator('#trigger-timezone-message')).toContainText(
    'Time zone "Mars/Olympus" is not a known IANA time zone',
  );
  await expect(dialog.getByLabel('Cron')).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByLabel('Input (JSON)')).toHaveValue('{"amount": 3}');
  expect(await triggersOf(client, key)).toHaveLength(0);
  await shoot(page, 'cron-error');

  await dialog.getByLabel('Cron').fill('30 2 * * *');
  await dialog.getByLabel('Time zone').fill('Europe/Berlin');
  await dialog.getByLabel('Time zone').press('Enter');
  await expect(dialog).toBeHidden();
  const card = page.getByRole('article', { name: 'Schedule trigger' });
  await expect(card).toContainText('30 2 * * *');
  const times = card.getByRole('list', { name: 'Next fire times' }).getByRole('listitem');
  await expect(times).toHaveCount(5);
  for (const text of await times.allTextContents()) expect(text).toMatch(/, 0[23]:30 CES?T$/); // 03:30 only on the spring-forward night
  const [trigger] = await triggersOf(client, key);
  expect(trigger?.type).toBe('schedule');
  await shoot(page, 'schedule');
});

test('an event trigger shows its filter and input, and a bad JSONata filter is refused at its field', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('trg-event');
  const dialog = await openNewTriggerDialog(page, client, key, 'Invoice events');
  await chooseOption(page, dialog, 'Type', 'Event');
  await dialog.getByLabel('Event name').fill('invoice.received');
  await dialog.getByLabel('Filter (JSONata)').fill('payload.amount >');
  await dialog.getByLabel('Input (JSONata)').fill('{ "amount": payload.amount }');
  await dialog.getByRole('button', { name: 'Create trigger' }).click();
  await expect(dialog.locator('#trigger-filter-message')).not.toBeEmpty();
  await expect(dialog.getByLabel('Filter (JSONata)')).toHaveAttribute('aria-invalid', 'true');
  expect(await triggersOf(client, key)).toHaveLength(0);
  await dialog.getByLabel('Filter (JSONata)').fill('payload.amount > 100');
  await dialog.getByRole('button', { name: 'Create trigger' }).click();
  const card = page.getByRole('article', { name: 'Event trigger' });
  await expect(card).toContainText('invoice.received');
  await expect(card).toContainText('payload.amount > 100');
  await expect(card).toContainText('{ "amount": payload.amount }');

  const posted = await client.post('/events', { event: 'invoice.received', payload: { amount: 250 } });
  expect(posted.status(), await posted.text()).toBeLessThan(300);
  const { started } = (await posted.json()) as { started: string[] };
  expect(started).toHaveLength(1);
  await page.reload();
  await expect(card.getByRole('link', { name: `Run ${started[0]}` })).toBeVisible();
  await shoot(page, 'event');
});

test('a viewer sees the triggers but cannot change them, run the workflow or read the webhook URL', async ({
  page,
  browser,
  request,
}) => {
  const client = api(request);
  const key = unique('trg-viewer');
  await publish(client, key, 'Read-only intake with a rather long name that has to wrap on a phone screen', SIMPLE);
  const created = await client.post(`/workflows/${key}/triggers`, { type: 'webhook', config: {} });
  expect(created.status(), await created.text()).toBe(201);
  expect(
    (
      await client.post(`/workflows/${key}/triggers`, {
        type: 'schedule',
        config: { cron: '0 9 * * 1-5', timezone: 'America/New_York', input: { amount: 1 } },
      })
    ).status(),
  ).toBe(201);
  await signIn(page);
  const email = `${unique('viewer')}@e2e.test`;
  const password = await addMemberThroughUi(page, { email, role: 'viewer' });

  const viewer = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await signIn(viewer, email, password);
  await viewer.goto(`/workflows/${key}/triggers`);
  const hook = viewer.getByRole('article', { name: 'Webhook trigger' });
  await expect(hook).toContainText('The URL is shown to people who may start runs.');
  await expect(hook.getByTestId('webhook-url')).toHaveCount(0);
  await expect(hook.getByRole('switch', { name: 'Webhook trigger enabled' })).toBeDisabled();
  await expect(hook.getByRole('button', { name: 'Delete webhook trigger' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'New trigger' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Run', exact: true })).toHaveCount(0);
  const times = viewer
    .getByRole('article', { name: 'Schedule trigger' })
    .getByRole('list', { name: 'Next fire times' })
    .getByRole('listitem');
  await expect(times).toHaveCount(5);
  for (const text of await times.allTextContents()) expect(text).toMatch(/, 09:00 E[SD]T$/);
  // Nothing sticks out sideways on a phone.
  expect(await viewer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shoot(viewer, 'viewer-390');
});
