import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

// Issue #18's bugs, each as a person meets it: these failed before the fixes.

type TClient = ReturnType<typeof api>;

const SHOTS = 'test-results/screenshots';
const field = (page: Page, path: string) => page.locator(`[data-config-path="${path}"]`).first();
const card = (page: Page, stepId: string) => page.locator(`[data-step-header="${stepId}"]`);
const panel = (page: Page) => page.getByTestId('step-config-panel');

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SHOTS}/daily-${name}-${width}.png`, fullPage: true });
    // No sideways scroll at either width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function saveDraft(client: TClient, key: string, document: Record<string, unknown>): Promise<void> {
  expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
  const saved = await client.post(`/workflows/${key}/versions`, { key, name: key, ...document });
  expect(saved.status(), await saved.text()).toBeLessThan(300);
}

async function publish(client: TClient, key: string, document: Record<string, unknown>): Promise<void> {
  await saveDraft(client, key, document);
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

const assign = (id: string, path: string, value: unknown) => ({
  id,
  type: 'transform.assign',
  config: { assign: { [path]: value } },
});

test('the run page: a collapsed node says so and opens, a task’s snapshot appears once answered, a canceled run ends its if-step', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('daily-run');
  await publish(client, key, {
    steps: [
      assign('deep', 'vars.meta', { a: { b: { c: 'hidden-leaf' } } }),
      {
        id: 'check',
        type: 'control.if',
        config: {
          condition: true,
          then: [
            {
              id: 'ask',
              type: 'human.task',
              config: {
                title: 'Ask for a yes',
                form: { type: 'object', properties: {} },
                outcomes: ['yes', 'no'],
                assignee: { role: 'admin' },
                saveAs: 'vars.answer',
              },
            },
          ],
        },
      },
    ],
  });
  const runId = await startRun(client, key);
  await expect.poll(() => statusOf(client, runId)).toBe('WAITING');
  await signIn(page);
  await page.goto(`/runs/${runId}`);

  // Bug 2: a nested object past the second level is collapsed, marked so, and opens on request.
  await page.locator('[data-step-path="steps[0]"]').click();
  const snapshot = page.getByRole('group', { name: 'Snapshot' });
  await expect(snapshot).toBeVisible();
  await expect(snapshot.getByText('hidden-leaf')).toHaveCount(0);
  // Which collapsed node comes first depends on the envelope's other keys: open collapsed nodes
  // until the leaf shows (vars.meta.a.b takes three), each click opening exactly one.
  const collapsed = snapshot.getByRole('button', { name: 'Expand' });
  for (let opened = 0; opened < 8 && (await snapshot.getByText('hidden-leaf').count()) === 0; opened++) {
    const before = await collapsed.count();
    expect(before).toBeGreaterThan(0);
    await collapsed.first().click();
    await expect(snapshot.getByRole('button', { name: 'Collapse' })).not.toHaveCount(0);
  }
  await expect(snapshot.getByText('hidden-leaf')).toBeVisible();
  await shoot(page, 'run-snapshot');

  // Bug 4: the waiting task's step has no snapshot yet; answered, it shows one without a reload.
  await page.locator('[data-step-path="steps[1].config.then[0]"]').click();
  await expect(page.getByText('No snapshot: one is kept after each step that succeeds.')).toBeVisible();
  const tasks = (await (await client.get('/tasks?mine=false&status=open')).json()).items as Array<{
    id: string;
    runId: string;
  }>;
  const task = tasks.find((candidate) => candidate.runId === runId);
  expect(task).toBeDefined();
  const answered = await client.post(`/tasks/${task!.id}/complete`, { outcome: 'yes', data: {} });
  expect(answered.status(), await answered.text()).toBe(200);
  await expect(page.getByRole('group', { name: 'Snapshot' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('No snapshot: one is kept after each step that succeeds.')).toHaveCount(0);

  // Bug 3: cancel a run waiting inside its if-step: the if-step ends with the run.
  const second = await startRun(client, key);
  await expect.poll(() => statusOf(client, second)).toBe('WAITING');
  const canceled = await client.post(`/runs/${second}/cancel`, { reason: 'bug 3 check' });
  expect(canceled.status(), await canceled.text()).toBe(200);
  await expect.poll(() => statusOf(client, second)).toBe('CANCELED');
  await page.goto(`/runs/${second}`);
  const ifRow = page.locator('[data-step-path="steps[1]"]');
  await expect(ifRow.locator('[title="canceled"]')).toHaveCount(1);
  await expect(ifRow.locator('[title="running"]')).toHaveCount(0);
  await shoot(page, 'run-canceled');
});

test('publishing a new, untouched workflow publishes (or lists its problems), never “already published”', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/workflows');
  await page.getByRole('button', { name: 'New workflow' }).click();
  const dialog = page.getByRole('dialog', { name: 'New workflow' });
  const key = unique('daily-new');
  await dialog.getByLabel('Name').fill('Untouched');
  await dialog.getByLabel('Key').fill(key);
  await dialog.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page).toHaveURL(new RegExp(`/workflows/${key}$`));
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText(/Published version 1|Not published: /)).toBeVisible();
  await expect(page.getByText(/already published/)).toHaveCount(0);
});

test('designer fields: the id commits on Enter, the picker completes what was typed and knows both branches set a var, a fixed problem clears at once', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('daily-designer');
  await saveDraft(client, key, {
    steps: [
      assign('summarize', 'vars.summary', 'short'),
      {
        id: 'route',
        type: 'control.if',
        config: {
          condition: true,
          then: [assign('yes', 'vars.decision', 'approve')],
          else: [assign('no', 'vars.decision', 'reject')],
        },
      },
      { id: 'note', type: 'log', config: { message: 'hello' } },
      {
        id: 'fetch',
        type: 'action.call',
        config: {
          action: 'http.request',
          version: 1,
          input: { method: 'POST', url: 'https://example.com', body: { $expr: 'payload.(' } },
        },
      },
      {
        id: 'ask',
        type: 'human.task',
        config: {
          title: 'Ask',
          form: { type: 'object', properties: {} },
          outcomes: ['approve', ''],
          assignee: { role: 'admin' },
        },
      },
    ],
  });
  await signIn(page);
  await page.goto(`/workflows/${key}`);

  // Bug 6: an id being typed is not written to the step; a clash shows while typing.
  await card(page, 'summarize').click();
  const id = field(page, 'id').getByRole('textbox');
  await id.fill('route');
  await expect(panel(page)).toContainText('Another step already has the id “route”');
  await id.fill('sum');
  await expect(card(page, 'summarize')).toBeVisible();
  await expect(card(page, 'sum')).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(card(page, 'sum')).toBeVisible();
  await expect(card(page, 'summarize')).toHaveCount(0);

  // Bug 8: `vars.` typed, then vars.summary picked, gives vars.summary.
  await card(page, 'note').click();
  const message = field(page, 'config.message');
  await message.getByRole('radio', { name: 'Expression' }).click();
  const editor = message.getByRole('textbox').first();
  await editor.fill('vars.');
  await message.getByRole('button', { name: 'Insert field' }).click();
  await expect(message.getByLabel('Search fields')).toHaveValue('vars.');
  const fields = message.getByRole('list', { name: 'Fields' });
  await fields.getByRole('button', { name: /^vars\.summary\b/ }).click();
  await expect(editor).toHaveText('vars.summary');

  // Bug 9: both branches of route set vars.decision: it is certain after route.
  await message.getByLabel('Search fields').fill('decision');
  const decision = fields.getByRole('button', { name: /^vars\.decision\b/ });
  await expect(decision).toBeVisible();
  await expect(decision).not.toContainText('maybe');
  await shoot(page, 'designer-picker');

  // Bug 1: the HTTP step's panel fits its column, a field focused and a broken expression in the body.
  await card(page, 'fetch').click();
  await field(page, 'config.input.url').getByRole('textbox').first().focus();
  const configuration = page.getByRole('complementary', { name: 'Configuration' });
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await expect
      .poll(() => configuration.evaluate((aside) => aside.scrollWidth - aside.clientWidth))
      .toBeLessThanOrEqual(0);
  }
  await shoot(page, 'designer-http-panel');

  // Bug 12: the empty outcome's problem goes as soon as it is typed, without waiting for the next check.
  await card(page, 'ask').click();
  await expect(panel(page)).toContainText('an outcome cannot be empty');
  // Hold every server action from here on (the check and the save): only the page can clear it.
  await page.route('**/*', (route) =>
    route.request().method() === 'POST' && route.request().headers()['next-action'] ? undefined : route.fallback(),
  );
  await field(page, 'config.outcomes').getByRole('textbox', { name: 'Item 2' }).fill('reject');
  await expect(panel(page)).not.toContainText('an outcome cannot be empty');
});

test('the run form keeps a bad number with its error and reads a decimal comma', async ({ page, request }) => {
  const client = api(request);
  const key = unique('daily-form');
  await publish(client, key, {
    parameterSchema: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } },
    steps: [assign('keep', 'vars.amount', { $expr: 'payload.amount' })],
  });
  await signIn(page);
  await page.goto(`/workflows/${key}`);
  await page.getByRole('link', { name: 'Run', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Run ${key}` });
  const amount = dialog.getByLabel('amount');
  await amount.fill('abc');
  await amount.blur();
  await expect(amount).toHaveValue('abc');
  await dialog.getByRole('button', { name: 'Start run' }).click();
  await expect(dialog).toContainText('Must be a number, like 12.5 or 12,5.');
  await expect(amount).toHaveValue('abc');
  await shoot(page, 'run-form-error');
  await amount.fill('12,50');
  await expect(dialog).not.toContainText('Must be a number');
  await dialog.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = page.url().split('/').pop()!;
  const run = await (await client.get(`/runs/${runId}`)).json();
  expect(run.input).toEqual({ amount: 12.5 });
});
