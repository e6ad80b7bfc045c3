import { mkdirSync } from 'node:fs';
import { expect, test, type Browser, type Page } from '@playwright/test';
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

async function startRun(client: TClient, key: string, input: Record<string, unknown> = {}): Promise<string> {
  const started = await client.post(`/workflows/${key}/runs`, { input });
  expect(started.status(), await started.text()).toBeLessThan(300);
  return (await started.json()).runId as string;
}

async function operator(browser: Browser, client: TClient, name: string): Promise<{ email: string; page: Page }> {
  const email = `${unique(name)}@e2e.test`;
  const added = await client.post('/members', { email, name, role: 'operator' });
  expect(added.status(), await added.text()).toBe(201);
  const password = (await added.json()).initialPassword as string;
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email, password);
  return { email, page };
}

async function taskIdOf(client: TClient, runId: string): Promise<string> {
  let id = '';
  await expect
    .poll(async () => {
      const tasks = (await (await client.get('/tasks?status=open&limit=200')).json()).items as {
        id: string;
        runId: string;
      }[];
      id = tasks.find((task) => task.runId === runId)?.id ?? '';
      return id;
    })
    .not.toBe('');
  return id;
}

/** The badge's number in the navigation (0 when it is not shown). */
async function badgeOf(page: Page): Promise<number> {
  const badge = page.getByTestId('inbox-badge');
  if ((await badge.count()) === 0) return 0;
  return Number((await badge.textContent()) ?? '0');
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    // Nor inside the inbox's card: at phone width each task is a stacked card.
    expect(await page.locator('[data-inbox-table]').evaluate((list) => list.scrollWidth <= list.clientWidth + 1)).toBe(
      true,
    );
    await page.screenshot({ path: `test-results/screenshots/inbox-${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

test('two people at the inbox: a live badge, keys to move and select, a bulk answer with a result per task', async ({
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  const client = api(request);
  const ann = await operator(browser, client, 'ann');
  const ben = await operator(browser, client, 'ben');
  const word = unique('Bulk');
  const key = unique('bulk');
  await publish(client, key, {
    steps: [
      {
        id: 'check',
        type: 'human.task',
        config: {
          title: { $expr: `'${word} expense #' & $string(payload.n)` },
          form: { type: 'object' },
          outcomes: ['approve', 'reject'],
          assignee: { users: [ann.email, ben.email] },
        },
      },
    ],
  });
  const formKey = unique('formed');
  await publish(client, formKey, {
    steps: [
      {
        id: 'check',
        type: 'human.task',
        config: {
          title: `${word} with a reason`,
          form: { type: 'object', required: ['reason'], properties: { reason: { type: 'string', title: 'Reason' } } },
          outcomes: ['approve', 'reject'],
          assignee: { users: [ann.email, ben.email] },
        },
      },
    ],
  });
  const runs = [];
  for (const n of [1, 2, 3]) runs.push(await startRun(client, key, { n }));
  const formRun = await startRun(client, formKey);
  const ids = await Promise.all(runs.map((runId) => taskIdOf(client, runId)));
  await taskIdOf(client, formRun);

  await ann.page.goto(`/inbox?q=${encodeURIComponent(word)}&sort=due`);
  const rows = ann.page.locator('[data-task-row]');
  await expect(rows).toHaveCount(4);
  await expect(ann.page.getByTestId('inbox-keys')).toContainText('Enter opens');
  const before = await badgeOf(ann.page);
  expect(before).toBeGreaterThanOrEqual(4);

  // A task created elsewhere reaches Ann's badge without a reload.
  const extraRun = await startRun(client, key, { n: 4 });
  await expect.poll(() => badgeOf(ann.page), { timeout: 20_000 }).toBe(before + 1);

  // Ben claims #2 in his own browser: Ann's bulk answer is refused for that one only.
  await ben.page.goto(`/inbox/${ids[1]}`);
  await ben.page.getByRole('button', { name: 'Claim' }).click();
  await expect(ben.page.getByTestId('claim-state')).toHaveText('Claimed by you');

  // Keys: j into the list and down, x to select; the task with a required field cannot be selected.
  await ann.page.reload();
  await expect(rows).toHaveCount(5);
  const rowOf = (title: string) => rows.filter({ hasText: title });
  await expect(rowOf(`${word} with a reason`).getByRole('checkbox')).toBeDisabled();
  await ann.page.locator('body').click({ position: { x: 1, y: 1 } });
  await ann.page.keyboard.press('j');
  const order = await rows.evaluateAll((items) => items.map((item) => item.textContent ?? ''));
  await expect(rows.first()).toBeFocused();
  const selectable = order
    .map((text, index) => ({ text, index }))
    .filter(({ text }) => /expense #[123]$|expense #[123]\D/.test(text));
  expect(selectable).toHaveLength(3);
  let at = 0;
  for (const { index } of selectable) {
    while (at < index) {
      await ann.page.keyboard.press(at % 2 === 0 ? 'j' : 'ArrowDown');
      at += 1;
    }
    await expect(rows.nth(index)).toBeFocused();
    await ann.page.keyboard.press('x');
  }
  await expect(ann.page.getByTestId('bulk-count')).toHaveText('3 selected');
  await ann.page.getByRole('region', { name: 'Bulk answer' }).getByLabel('Answer').selectOption('approve');
  await ann.page.getByRole('button', { name: 'Answer 3 tasks' }).click();
  const results = ann.page.locator('[data-bulk-results]');
  await expect(results).toContainText('2 of 3 answered; 1 refused');
  await expect(results.locator(`[data-bulk-result="${ids[1]}"]`)).toContainText(`claimed by ${ben.email}`);
  await expect(results.locator(`[data-bulk-result="${ids[0]}"]`)).toContainText('decided: approve');
  await expect(rows).toHaveCount(3);
  await expect.poll(() => badgeOf(ann.page), { timeout: 20_000 }).toBe(before - 1);
  await shoot(ann.page, 'bulk-results');

  // Ben answers #2 in his browser; Ann's badge follows.
  await ben.page.getByRole('button', { name: 'approve' }).click();
  await expect(ben.page.locator('[data-task-answer]')).toContainText(`by ${ben.email}`);
  await expect.poll(() => badgeOf(ann.page), { timeout: 20_000 }).toBe(before - 2);

  // Enter opens the focused task.
  await ann.page.reload();
  await ann.page.locator('body').click({ position: { x: 1, y: 1 } });
  await ann.page.keyboard.press('j');
  await ann.page.keyboard.press('Enter');
  await expect(ann.page).toHaveURL(/\/inbox\/[0-9a-f-]{36}$/);

  await client.post(`/runs/${extraRun}/cancel`);
  await client.post(`/runs/${formRun}/cancel`);
});

test('escalation shows on the run timeline; a one-click link that is not one gets a clear page, not a sign-in or a 500', async ({
  browser,
  request,
  page,
}) => {
  const client = api(request);
  const ben = await operator(browser, client, 'ben');
  const key = unique('escalate');
  await publish(client, key, {
    steps: [
      {
        id: 'approve',
        type: 'human.task',
        config: {
          title: 'Approve the late order',
          form: { type: 'object' },
          outcomes: ['approve', 'reject'],
          assignee: { role: 'admin' },
          escalation: [{ afterMs: 1, assignee: { user: ben.email } }],
        },
      },
    ],
  });
  const runId = await startRun(client, key);
  const taskId = await taskIdOf(client, runId);
  await expect
    .poll(async () => ((await (await client.get(`/tasks/${taskId}`)).json()).assignee as { user?: string }).user, {
      timeout: 30_000,
    })
    .toBe(ben.email);
  await signIn(page);
  await page.goto(`/runs/${runId}`);
  await expect(page.getByText('task.escalated')).toBeVisible();
  await client.post(`/runs/${runId}/cancel`);

  const visitor = await (await browser.newContext()).newPage();
  const forged = 'x'.repeat(43);
  const opened = await visitor.goto(`/t/${forged}`);
  expect(opened?.status()).toBe(200);
  await expect(visitor.getByText('This link is not valid')).toBeVisible();
  expect(visitor.url()).toContain(`/t/${forged}`);
  const posted = await visitor.request.post(`/t/${forged}/answer`, { maxRedirects: 0 });
  expect(posted.status()).toBe(303);
  expect(posted.headers().location).toContain('refused=');
});
