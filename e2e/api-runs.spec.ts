import { expect, test } from '@playwright/test';
import { api, E2E_BOOTSTRAP_TOKEN, signIn } from './support';

/** Creates and publishes a workflow through the API, as a script would. */
async function publish(client: ReturnType<typeof api>, key: string, document: Record<string, unknown>): Promise<void> {
  expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
  const saved = await client.post(`/workflows/${key}/versions`, { key, name: key, ...document });
  expect(saved.status(), await saved.text()).toBeLessThan(300);
  const published = await client.post(`/workflows/${key}/versions/1/publish`);
  expect(published.status(), await published.text()).toBe(200);
}

test.describe('runs through the real web server and worker', () => {
  test('a sync start answers with the output the worker computed', async ({ request }) => {
    const client = api(request);
    const key = `e2e-sync-${Date.now()}`;
    await publish(client, key, {
      parameterSchema: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } },
      steps: [
        {
          id: 'double',
          type: 'transform.assign',
          config: { assign: { 'vars.total': { $expr: 'payload.amount * 2' } } },
        },
        {
          id: 'echo',
          type: 'action.call',
          config: { action: 'core.echo', version: 1, input: { total: { $expr: 'vars.total' } }, saveAs: 'vars.echoed' },
        },
      ],
      output: { $expr: 'vars.echoed.total' },
    });
    const started = await client.post(`/workflows/${key}/runs`, { input: { amount: 21 }, mode: 'sync', waitMs: 20000 });
    expect(started.status(), await started.text()).toBe(200);
    const body = await started.json();
    expect(body.output).toBe(42);
    const steps = await (await client.get(`/runs/${body.runId}/steps`)).json();
    expect((steps.items as Array<{ stepId: string; status: string }>).map((s) => [s.stepId, s.status])).toEqual([
      ['double', 'SUCCEEDED'],
      ['echo', 'SUCCEEDED'],
    ]);

    const invalid = await client.post(`/workflows/${key}/runs`, { input: { amount: 'many' } });
    expect(invalid.status()).toBe(422);
  });

  test('the Workflows and Runs pages list what the API created', async ({ request, page }) => {
    const client = api(request);
    const key = `e2e-listed-${Date.now()}`;
    await publish(client, key, { steps: [{ id: 'only', type: 'state.set', config: { state: 'listed' } }] });
    const { runId } = await (
      await client.post(`/workflows/${key}/runs`, { input: {}, mode: 'sync', waitMs: 20000 })
    ).json();
    await signIn(page);
    await page.getByRole('link', { name: 'Workflows' }).click();
    const row = page.getByRole('row').filter({ hasText: key });
    await expect(row).toContainText('v1');
    await page.getByRole('link', { name: 'Runs' }).first().click();
    const runRow = page.getByRole('row').filter({ hasText: runId.slice(0, 8) });
    await expect(runRow).toContainText('succeeded');
    await expect(runRow).toContainText('listed');
  });

  test('a run waiting on an event is resumed by POST /events, seen live over SSE', async ({ request, baseURL }) => {
    const client = api(request);
    const key = `e2e-wait-${Date.now()}`;
    await publish(client, key, {
      steps: [
        {
          id: 'await',
          type: 'event.wait',
          config: { event: 'order.paid', correlationKey: { $expr: 'payload.order' }, saveAs: 'vars.paid' },
        },
      ],
      output: { $expr: 'vars.paid.amount' },
    });
    const { runId } = await (await client.post(`/workflows/${key}/runs`, { input: { order: 'A-1' } })).json();
    await expect
      .poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status, { timeout: 20000 })
      .toBe('WAITING');

    // Listen before delivering, so the stream must carry the resume live.
    const controller = new AbortController();
    const stream = await fetch(`${baseURL}/api/v1/runs/${runId}/events`, {
      headers: { authorization: `Bearer ${E2E_BOOTSTRAP_TOKEN}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');

    const other = await (
      await client.post('/events', { event: 'order.paid', correlationKey: 'B-2', payload: { amount: 1 } })
    ).json();
    expect(other.resumed).toEqual([]);
    const delivered = await (
      await client.post('/events', { event: 'order.paid', correlationKey: 'A-1', payload: { amount: 99 } })
    ).json();
    expect(delivered.resumed).toEqual([runId]);

    const reader = stream.body!.getReader();
    let text = '';
    while (!text.includes('run.succeeded')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('event: run.resumed');
    expect(text).toContain('event: run.succeeded');
    const run = await (await client.get(`/runs/${runId}`)).json();
    expect(run).toMatchObject({ status: 'SUCCEEDED', output: 99 });
  });
});
