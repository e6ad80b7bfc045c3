import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { addMemberThroughUi, createTokenThroughUi, unique } from './ui-support';

type TClient = ReturnType<typeof api>;

/** Creates and publishes a workflow through the API, as a script would. */
async function publish(client: TClient, key: string, document: Record<string, unknown>): Promise<void> {
  expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
  const saved = await client.post(`/workflows/${key}/versions`, { key, name: key, ...document });
  expect(saved.status(), await saved.text()).toBeLessThan(300);
  const published = await client.post(`/workflows/${key}/versions/1/publish`);
  expect(published.status(), await published.text()).toBe(200);
}

async function startRun(client: TClient, key: string, input: Record<string, unknown> = {}): Promise<string> {
  const started = await client.post(`/workflows/${key}/runs`, { input });
  expect(started.status(), await started.text()).toBeLessThan(300);
  return (await started.json()).runId as string;
}

async function statusOf(client: TClient, runId: string): Promise<string> {
  return (await (await client.get(`/runs/${runId}`)).json()).status as string;
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: `test-results/screenshots/ops-${name}.png`, fullPage: true });
}

/** The run page's header status (the badge next to the title). */
function runStatus(page: Page, status: string) {
  return page.locator('main').getByText(status, { exact: true }).first();
}

const form = {
  type: 'object',
  required: ['amount'],
  properties: { amount: { type: 'number', title: 'Amount', minimum: 0 }, note: { type: 'string', title: 'Note' } },
};

test('an operator answers a task from the inbox; the run page turns succeeded live; a second answer is refused', async ({
  page,
  browser,
  request,
}) => {
  const client = api(request);
  await signIn(page);
  const email = `${unique('op')}@e2e.test`;
  const password = await addMemberThroughUi(page, { email, role: 'operator' });
  const key = unique('ops-approve');
  const description =
    'Please check the **invoice** and the `PO`.\n\n- one\n- two\n\n[the contract](https://example.com/c) · [bad](javascript:alert(1)) <script>window.__x=1</script>';
  await publish(client, key, {
    steps: [
      {
        id: 'approve',
        type: 'human.task',
        config: {
          title: 'Approve invoice 42',
          description,
          form,
          outcomes: ['approve', 'reject'],
          assignee: { user: email },
          saveAs: 'vars.answer',
        },
      },
    ],
    output: { $expr: 'vars.answer' },
  });
  // A task for a role the operator does not have stays out of their inbox.
  const otherKey = unique('ops-editor-task');
  await publish(client, otherKey, {
    steps: [
      {
        id: 'ask',
        type: 'human.task',
        config: { title: 'For editors only', form: { type: 'object' }, outcomes: ['ok'], assignee: { role: 'editor' } },
      },
    ],
  });
  await startRun(client, otherKey);
  const runId = await startRun(client, key, { invoice: 42, amount: 120 });
  await expect.poll(() => statusOf(client, runId), { timeout: 20_000 }).toBe('WAITING');

  const operator = await (await browser.newContext()).newPage();
  await signIn(operator, email, password);
  await operator.goto('/runs');
  await expect(operator.getByRole('row').filter({ hasText: runId.slice(0, 8) })).toContainText('waiting');
  await operator.goto(`/runs/${runId}`);
  await expect(runStatus(operator, 'waiting')).toBeVisible();
  await shoot(operator, 'run-waiting');

  await operator.goto('/inbox');
  await expect(operator.getByRole('link', { name: /Inbox/ })).toContainText(/\d/);
  const row = operator.locator('[data-task-row]').filter({ hasText: 'Approve invoice 42' });
  await expect(row).toHaveCount(1);
  await expect(operator.locator('[data-task-row]').filter({ hasText: 'For editors only' })).toHaveCount(0);
  await row.getByRole('link', { name: 'Approve invoice 42' }).click();
  await expect(operator.getByRole('heading', { name: 'Approve invoice 42', level: 1 })).toBeVisible();
  const rendered = operator.locator('[data-task-description]');
  await expect(rendered.locator('strong')).toHaveText('invoice');
  await expect(rendered.locator('code')).toHaveText('PO');
  await expect(rendered.locator('li')).toHaveCount(2);
  await expect(rendered.getByRole('link', { name: 'the contract' })).toHaveAttribute('href', 'https://example.com/c');
  await expect(rendered.getByRole('link', { name: 'bad' })).toHaveCount(0);
  await expect(rendered.locator('script')).toHaveCount(0);
  expect(await operator.evaluate(() => (window as unknown as { __x?: number }).__x)).toBeUndefined();
  await shoot(operator, 'task-page');

  // The form is checked before sending: a negative amount shows next to its field.
  await operator.getByLabel('Amount').fill('-5');
  await operator.getByRole('button', { name: 'approve' }).click();
  await expect(operator.locator('[data-schema-form]')).toContainText(/must be >= 0|at least 0/);
  await operator.getByLabel('Amount').fill('120');
  await operator.getByLabel('Note').fill('looks right');

  const runPage = await (await browser.newContext()).newPage();
  await signIn(runPage, email, password);
  await runPage.goto(`/runs/${runId}`);
  await expect(runStatus(runPage, 'waiting')).toBeVisible();

  await operator.getByRole('button', { name: 'approve' }).click();
  await expect(operator.locator('[data-task-answer]')).toContainText(`approve by ${email}`);
  await expect(operator.locator('[data-task-answer]')).toContainText('looks right');
  // The other tab was not reloaded: the SSE stream brings the end of the run.
  await expect(runStatus(runPage, 'succeeded')).toBeVisible({ timeout: 20_000 });
  const run = await (await client.get(`/runs/${runId}`)).json();
  expect(run.output).toMatchObject({
    outcome: 'approve',
    data: { amount: 120, note: 'looks right' },
    completedBy: email,
  });

  const task = (await (await client.get(`/tasks?mine=false&status=completed`)).json()).items.find(
    (t: { runId: string }) => t.runId === runId,
  ) as { id: string };
  const second = await client.post(`/tasks/${task.id}/complete`, { outcome: 'reject', data: { amount: 1 } });
  expect(second.status()).toBe(409);
  expect((await second.json()).error.message).toContain('already decided');

  await operator.goto('/inbox');
  await expect(operator.locator('[data-task-row]').filter({ hasText: 'Approve invoice 42' })).toHaveCount(0);
});

test('cancel a running run with a reason; retry a failed run after its cause is fixed', async ({ page, request }) => {
  const client = api(request);
  await signIn(page);
  const slowKey = unique('ops-slow');
  await publish(client, slowKey, { steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: 600_000 } }] });
  const slowRun = await startRun(client, slowKey);
  await page.goto(`/runs/${slowRun}`);
  await expect(runStatus(page, 'waiting')).toBeVisible({ timeout: 20_000 });
  await page.getByRole('group', { name: 'Run actions' }).getByRole('button', { name: 'Cancel run' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this run?' });
  await dialog.getByLabel('Reason').fill('not needed any more');
  await dialog.getByRole('button', { name: 'Cancel run' }).click();
  await expect(runStatus(page, 'canceled')).toBeVisible({ timeout: 20_000 });
  expect(await statusOf(client, slowRun)).toBe('CANCELED');

  // The step needs a secret nobody has created yet: the run fails; once it exists, a retry succeeds.
  const secret = unique('ops-token').toLowerCase();
  const failKey = unique('ops-needs-secret');
  await publish(client, failKey, {
    env: { secrets: { OPS_TOKEN: secret } },
    steps: [
      {
        id: 'call',
        type: 'action.call',
        config: { action: 'core.echo', version: 1, input: { token: { $secret: 'OPS_TOKEN' } }, saveAs: 'vars.echoed' },
      },
    ],
  });
  const failedRun = await startRun(client, failKey);
  await expect.poll(() => statusOf(client, failedRun), { timeout: 20_000 }).toBe('FAILED');
  await page.goto(`/runs/${failedRun}`);
  await expect(runStatus(page, 'failed')).toBeVisible();
  await shoot(page, 'run-failed');
  expect((await client.post('/secrets', { name: secret, value: 's3cret-value' })).status()).toBe(201);
  await page
    .getByRole('group', { name: 'Run actions' })
    .getByRole('button', { name: 'Retry from failed step' })
    .click();
  const retry = page.getByRole('dialog', { name: 'Retry from the failed step?' });
  await retry.getByLabel('Reason').fill('secret created');
  await retry.getByRole('button', { name: 'Retry' }).click();
  await expect(runStatus(page, 'succeeded')).toBeVisible({ timeout: 20_000 });
});

test('a viewer sees no operator buttons and the API refuses their cancel', async ({ page, browser, request }) => {
  const client = api(request);
  await signIn(page);
  const email = `${unique('viewer')}@e2e.test`;
  const password = await addMemberThroughUi(page, { email, role: 'viewer' });
  const token = await createTokenThroughUi(page, unique('viewer-token'), 'viewer');
  const key = unique('ops-viewed');
  await publish(client, key, { steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: 600_000 } }] });
  const runId = await startRun(client, key);
  await expect.poll(() => statusOf(client, runId), { timeout: 20_000 }).toBe('WAITING');
  const viewer = await (await browser.newContext()).newPage();
  await signIn(viewer, email, password);
  await viewer.goto(`/runs/${runId}`);
  await expect(runStatus(viewer, 'waiting')).toBeVisible();
  await expect(viewer.getByRole('group', { name: 'Run actions' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Cancel run' })).toHaveCount(0);
  const refused = await api(request, token).post(`/runs/${runId}/cancel`, { reason: 'viewer tries' });
  expect(refused.status()).toBe(403);
  expect(await statusOf(client, runId)).toBe('WAITING');
  await client.post(`/runs/${runId}/cancel`, { reason: 'cleanup' });
});

test('screenshots: a run of 200 steps, an empty inbox, the overview', async ({ page, browser, request }) => {
  const client = api(request);
  await signIn(page);
  const key = unique('ops-many');
  await publish(client, key, {
    steps: [
      {
        id: 'each',
        type: 'control.forEach',
        config: {
          items: { $expr: '[1..200]' },
          steps: [
            { id: 'square', type: 'transform.assign', config: { assign: { 'vars.sq': { $expr: '$item * $item' } } } },
          ],
          collect: { $expr: 'vars.sq' },
          saveAs: 'vars.squares',
        },
      },
    ],
    output: { $expr: '$count(vars.squares)' },
  });
  const runId = await startRun(client, key);
  const broken = unique('ops-broken');
  await publish(client, broken, {
    steps: [{ id: 'stop', type: 'control.fail', config: { code: 'OUT_OF_STOCK', message: 'nothing left' } }],
  });
  const brokenRun = await startRun(client, broken);
  await expect.poll(() => statusOf(client, runId), { timeout: 30_000 }).toBe('SUCCEEDED');
  await expect.poll(() => statusOf(client, brokenRun), { timeout: 20_000 }).toBe('FAILED');
  await page.goto(`/runs/${runId}`);
  await expect(runStatus(page, 'succeeded')).toBeVisible();
  await shoot(page, 'run-200-steps');

  // A new member is assigned nothing, whatever tasks other specs leave open in this shared database.
  const email = `${unique('newcomer')}@e2e.test`;
  const password = await addMemberThroughUi(page, { email, role: 'viewer' });
  const newcomer = await (await browser.newContext()).newPage();
  await signIn(newcomer, email, password);
  await newcomer.goto('/inbox');
  await expect(newcomer.getByRole('heading', { name: 'Nothing to answer' })).toBeVisible();
  await shoot(newcomer, 'inbox-empty');

  await page.goto('/overview');
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Most failing workflows' })).toContainText(broken);
  await page.getByRole('button', { name: 'Last 7 days' }).click();
  await expect(page.locator('[data-runs-chart="7d"]')).toBeVisible();
  await page.getByRole('button', { name: 'Last 24 hours' }).click();
  await expect(page.locator('[data-runs-chart="24h"] .recharts-bar-rectangle').first()).toBeVisible();
  await shoot(page, 'overview');
  // The failing table counts runs that ended this week (they roll up by hour).
  const failing = page.getByRole('table', { name: 'Most failing workflows' });
  await expect(failing.getByRole('columnheader', { name: 'Of ended' })).toBeVisible();
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.reload();
    await expect(failing).toContainText(broken);
    // The bars grow in on load: shoot once the last one has stopped moving.
    const bar = page.locator('[data-runs-chart="24h"] .recharts-bar-rectangle').last();
    let previous = '';
    await expect
      .poll(async () => {
        const box = JSON.stringify(await bar.boundingBox());
        const settled = box === previous && box !== 'null';
        previous = box;
        return settled;
      })
      .toBe(true);
    await shoot(page, `overview-${width}`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  }
});
