import { expect, test } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

/**
 * The Runs page sends the browser what its table shows: a run's input, output and error stay on
 * the server (50 runs' inputs of up to 1 MB each were serialized into every render, and every
 * 3 s refresh, of the page). The run's own page still shows them.
 */
test('the Runs page lists a run without sending its input or output; the run page shows them', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('payload');
  expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
  const saved = await client.post(`/workflows/${key}/versions`, {
    key,
    name: key,
    steps: [{ id: 'echo', type: 'transform.assign', config: { assign: { 'vars.echo': { $expr: 'payload.marker' } } } }],
    output: { $expr: 'vars.echo' },
  });
  expect(saved.status(), await saved.text()).toBeLessThan(300);
  expect((await client.post(`/workflows/${key}/versions/1/publish`)).status()).toBe(200);
  const marker = `inputmarker${Date.now().toString(36)}`;
  const started = await client.post(`/workflows/${key}/runs`, { input: { marker }, mode: 'sync', waitMs: 20_000 });
  const { runId } = (await started.json()) as { runId: string };
  await expect.poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status).toBe('SUCCEEDED');
  expect((await (await client.get(`/runs/${runId}`)).json()).output).toBe(marker);

  await signIn(page);
  const listed = await page.goto(`/runs?workflow=${key}`);
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: runId.slice(0, 8) }) });
  await expect(row).toBeVisible();
  await expect(row.getByText('succeeded')).toBeVisible();
  // The whole response (HTML and the flight data React hydrates from) holds neither the input nor the output.
  const html = await listed!.text();
  expect(html).toContain(runId);
  expect(html).not.toContain(marker);

  await row.getByRole('link', { name: runId.slice(0, 8) }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
  // The run page does carry them (so the check above can fail).
  await expect.poll(async () => (await page.content()).includes(marker)).toBe(true);
});
