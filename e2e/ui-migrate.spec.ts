import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: `test-results/screenshots/migrate-${name}.png`, fullPage: true });
}

test('an operator moves a waiting run to the new version from the run page; it finishes there', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('migrate');
  const order = unique('order');
  const wait = {
    id: 'paid',
    type: 'event.wait',
    config: { event: 'order.paid', correlationKey: order, saveAs: 'vars.paid' },
  };
  const publish = async (version: number, steps: unknown[]) => {
    const saved = await client.post(`/workflows/${key}/versions`, { key, name: key, steps, output: { $expr: 'vars' } });
    expect(saved.status(), await saved.text()).toBeLessThan(300);
    const published = await client.post(`/workflows/${key}/versions/${version}/publish`);
    expect(published.status(), await published.text()).toBe(200);
  };
  expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
  await publish(1, [wait]);
  const runId = (await (await client.post(`/workflows/${key}/runs`, { input: {} })).json()).runId as string;
  await expect.poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status).toBe('WAITING');
  // v2 renames the wait and adds a step after it.
  await publish(2, [
    { ...wait, id: 'payment' },
    { id: 'thank', type: 'transform.assign', config: { assign: { 'vars.thanked': true } } },
  ]);

  await signIn(page);
  await page.goto(`/runs/${runId}`);
  await page.getByRole('group', { name: 'Run actions' }).getByRole('button', { name: 'Move to v2…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Move this run to another version?' });
  await expect(dialog.getByLabel('To version')).toHaveValue('2');
  await dialog.getByRole('button', { name: 'Move run' }).click();
  // The renamed step cannot be found by id: the server's 409 names it, and the run stays.
  await expect(dialog).toContainText('no step "paid"');
  await shoot(page, 'refused');
  await dialog.getByLabel('Renamed steps').fill('paid = payment');
  await dialog.getByLabel('Reason').fill('the thank-you step');
  await dialog.getByRole('button', { name: 'Move run' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('main')).toContainText('run.migrated');
  await expect.poll(async () => (await (await client.get(`/runs/${runId}`)).json()).version).toBe(2);

  expect(
    (await client.post('/events', { event: 'order.paid', correlationKey: order, payload: { amount: 5 } })).status(),
  ).toBe(200);
  await expect
    .poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status, { timeout: 20_000 })
    .toBe('SUCCEEDED');
  const run = await (await client.get(`/runs/${runId}`)).json();
  expect(run.output).toEqual({ paid: { amount: 5 }, thanked: true });
});

test('the runs list moves every waiting run of a workflow at once, and lists the one it could not carry', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('migrate-bulk');
  const waitFor = (id: string) => ({ id, type: 'event.wait', config: { event: `${key}.go`, correlationKey: id } });
  const route = (then: unknown[], otherwise: unknown[]) => ({
    id: 'route',
    type: 'control.if',
    config: { condition: { $expr: 'payload.left' }, then, else: otherwise },
  });
  const publish = async (version: number, steps: unknown[]) => {
    const saved = await client.post(`/workflows/${key}/versions`, { key, name: key, steps });
    expect(saved.status(), await saved.text()).toBeLessThan(300);
    expect((await client.post(`/workflows/${key}/versions/${version}/publish`)).status()).toBe(200);
  };
  expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
  await publish(1, [route([waitFor('left')], [waitFor('right')])]);
  const start = async (left: boolean) =>
    (await (await client.post(`/workflows/${key}/runs`, { input: { left } })).json()).runId as string;
  const runs = [await start(true), await start(true), await start(false)];
  for (const runId of runs)
    await expect.poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status).toBe('WAITING');
  await publish(2, [route([waitFor('left')], [])]);

  await signIn(page);
  await page.goto(`/runs?workflow=${key}`);
  await page
    .getByRole('group', { name: 'Bulk actions' })
    .getByRole('button', { name: 'Move waiting to a version…' })
    .click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Move 3 runs?');
  await dialog.getByLabel('To version').fill('2');
  await dialog.getByLabel('Reason').fill('drop the right-hand wait');
  await dialog.getByRole('button', { name: 'Move 3 runs' }).click();
  await expect(dialog.getByRole('status')).toContainText('Moved 2 runs.');
  await expect(dialog.getByRole('status')).toContainText('no step "right"');
  await shoot(page, 'bulk-result');
  const versions = await Promise.all(
    runs.map(async (runId) => (await (await client.get(`/runs/${runId}`)).json()).version as number),
  );
  expect(versions).toEqual([2, 2, 1]);
});
