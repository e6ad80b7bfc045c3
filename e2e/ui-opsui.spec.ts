import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

type TClient = ReturnType<typeof api>;

async function publish(client: TClient, key: string, document: Record<string, unknown>): Promise<void> {
  expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
  const saved = await client.post(`/workflows/${key}/versions`, { key, name: key, ...document });
  expect(saved.status(), await saved.text()).toBeLessThan(300);
  const published = await client.post(`/workflows/${key}/versions/1/publish`);
  expect(published.status(), await published.text()).toBe(200);
}

/** Full-page screenshots at desktop and phone width, and proof the page does not scroll sideways. */
async function shootBoth(page: Page, name: string): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} at ${width}px scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `test-results/screenshots/opsui-${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('a run is canceled without a reason; the audit log filters, folds autosaves, shows reasons and links to targets', async ({
  page,
  request,
}) => {
  const client = api(request);
  const prefix = unique('opsui-audit');
  for (let i = 0; i < 200; i += 1)
    expect((await client.post('/secrets', { name: `${prefix}-${i}`, value: 'xxxx' })).status()).toBe(201);
  const key = unique('opsui-nap');
  await publish(client, key, { steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: 600_000 } }] });
  // Three saves of the draft in a row: the first creates the draft (workflow.draft_created), the
  // next two are autosaves of one editing session, folded into one row.
  for (const n of [1, 2, 3]) {
    const saved = await client.post(`/workflows/${key}/versions`, {
      key,
      name: key,
      description: `edit ${n}`,
      steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: 600_000 } }],
    });
    expect(saved.status(), await saved.text()).toBeLessThan(300);
  }
  const runIds: string[] = [];
  for (let i = 0; i < 2; i += 1)
    runIds.push((await (await client.post(`/workflows/${key}/runs`, { input: {} })).json()).runId as string);
  expect((await client.post(`/runs/${runIds[1]}/cancel`, { reason: 'duplicate order' })).status()).toBe(200);

  await signIn(page);
  await page.goto(`/runs/${runIds[0]}`);
  await page.getByRole('group', { name: 'Run actions' }).getByRole('button', { name: 'Cancel run' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this run?' });
  await expect(dialog.getByText('(optional)')).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel run' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('main').getByText('canceled', { exact: true }).first()).toBeVisible({ timeout: 20_000 });

  await page.goto('/settings/audit');
  await shootBoth(page, 'audit');
  await page.getByLabel('Action').click();
  await page.getByRole('option', { name: 'run.*' }).click();
  await expect(page).toHaveURL(/action=run\./);
  const table = page.getByRole('table', { name: 'Audit log' });
  const withReason = table.getByRole('row').filter({ hasText: 'Reason: duplicate order' });
  await expect(withReason).toHaveCount(1);
  await expect(
    table
      .getByRole('row')
      .filter({ hasText: runIds[0]!.slice(0, 8) })
      .filter({ hasText: 'run.canceled' }),
  ).toHaveCount(1);
  await shootBoth(page, 'audit-filtered');

  await page.goto('/settings/audit?action=workflow.');
  const session = table.getByRole('row').filter({ hasText: 'workflow.draft_saved' }).filter({ hasText: key });
  await expect(session).toHaveCount(1);
  await expect(session).toContainText('2 saves over');

  await page.goto(`/settings/audit?target=secret&actor=token`);
  await expect(table.getByRole('row')).toHaveCount(51);
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(table.getByRole('row')).toHaveCount(101);
  await expect(table.getByRole('row').filter({ hasText: 'run.' })).toHaveCount(0);

  await page.goto('/settings/audit?action=run.');
  await withReason.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runIds[1]}$`));
});

test('a schedule is edited in place with a live next-fire preview and fired now; a webhook listens for a test event', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('opsui-trg');
  await publish(client, key, {
    parameterSchema: {
      type: 'object',
      required: ['period'],
      properties: { period: { type: 'string', enum: ['daily', 'weekly'] } },
    },
    steps: [{ id: 'note', type: 'transform.assign', config: { assign: { 'vars.p': { $expr: 'payload.period' } } } }],
  });
  const schedule = await client.post(`/workflows/${key}/triggers`, {
    type: 'schedule',
    config: { cron: '0 9 * * *', timezone: 'UTC', input: { period: 'daily' } },
  });
  expect(schedule.status()).toBe(201);
  const scheduleId = (await schedule.json()).id as string;
  const hook = await client.post(`/workflows/${key}/triggers`, { type: 'webhook', config: {} });
  const hookUrl = (await hook.json()).url as string;

  await signIn(page);
  await page.goto(`/workflows/${key}/triggers`);
  const card = page.getByRole('article', { name: 'Schedule trigger' });
  await card.getByRole('button', { name: 'Edit schedule trigger' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit schedule trigger' });
  await dialog.getByLabel('Cron').fill('30 6 * * 1');
  await dialog.getByLabel('Time zone').fill('Europe/Berlin');
  const preview = dialog.getByRole('region', { name: 'Next fire times preview' });
  await expect(preview.getByRole('listitem')).toHaveCount(5);
  await expect(preview.getByRole('listitem').first()).toContainText('Mon');
  await expect(preview.getByRole('listitem').first()).toContainText('06:30');
  await dialog.getByLabel('Cron').fill('61 6 * * 1');
  await expect(preview).toContainText('cron');
  await dialog.getByLabel('Cron').fill('30 6 * * 1');
  await dialog.getByLabel('Input (JSON)').fill('{ "period": "hourly" }');
  await shootBoth(page, 'trigger-edit');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog.getByLabel('Input (JSON)')).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog).toContainText('parameter schema');
  await dialog.getByLabel('Input (JSON)').fill('{ "period": "weekly" }');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  await expect(card).toContainText('30 6 * * 1');
  await expect(card).toContainText('Europe/Berlin');
  const stored = await (await client.get(`/workflows/${key}/triggers`)).json();
  expect(stored.items.find((t: { id: string }) => t.id === scheduleId).config.input).toEqual({ period: 'weekly' });

  await card.getByRole('button', { name: 'Fire now' }).click();
  await card.getByRole('status').filter({ hasText: 'Started' }).getByRole('link').click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.locator('main').getByText('succeeded', { exact: true }).first()).toBeVisible({ timeout: 20_000 });

  await page.goto(`/workflows/${key}/triggers`);
  const hookCard = page.getByRole('article', { name: 'Webhook trigger' });
  await hookCard.getByRole('button', { name: 'Listen for a test event' }).click();
  await expect(hookCard.getByRole('status').filter({ hasText: 'Waiting for the next request' })).toBeVisible();
  const sent = await fetch(hookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer do-not-show-me' },
    body: JSON.stringify({ period: 'daily' }),
  });
  expect(sent.status).toBe(202);
  const received = hookCard.getByLabel('Received request');
  await expect(received).toContainText('"period": "daily"');
  await expect(received).toContainText('not checked');
  await received.getByText(/^Headers/).click();
  await expect(received).toContainText('authorization');
  await expect(received).not.toContainText('do-not-show-me');
  await shootBoth(page, 'webhook-listen');
});

test('the templates gallery imports the order saga as a new draft and opens it in the designer', async ({ page }) => {
  await signIn(page);
  await page.goto('/workflows');
  await page.getByRole('button', { name: 'Templates' }).click();
  const gallery = page.getByRole('dialog', { name: 'Start from a template' });
  await expect(gallery.getByRole('listitem')).toHaveCount(6);
  await shootBoth(page, 'templates');
  await gallery.getByRole('button', { name: 'Use template Order saga with compensation' }).click();
  await expect(page).toHaveURL(/\/workflows\/order-saga(-\d+)?$/);
  await expect(page.locator('[data-step-id="reserve_stock"]')).toBeVisible();
  await expect(page.locator('[data-step-id="release_reservation"]')).toBeVisible();
});
