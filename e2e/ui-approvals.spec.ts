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

async function statusOf(client: TClient, runId: string): Promise<string> {
  return (await (await client.get(`/runs/${runId}`)).json()).status as string;
}

/** A new operator of the tenant (through the API) signed in in a browser context of their own. */
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

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    // No sideways scroll on the page itself: wide tables scroll inside their own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: `test-results/screenshots/approvals-${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

const noteForm = { type: 'object', properties: { note: { type: 'string', title: 'Note' } } };

test('three people share a 2-of-3 approval: each sees who answered and what is still needed; comments are shared', async ({
  browser,
  request,
}) => {
  const client = api(request);
  const ann = await operator(browser, client, 'ann');
  const ben = await operator(browser, client, 'ben');
  const cat = await operator(browser, client, 'cat');
  const key = unique('quorum');
  await publish(client, key, {
    steps: [
      {
        id: 'approve',
        type: 'human.task',
        config: {
          title: 'Approve the offsite budget',
          form: noteForm,
          outcomes: ['approve', 'reject'],
          assignee: { users: [ann.email, ben.email, cat.email] },
          approvals: { required: 2 },
          context: { $expr: "{'Team': payload.team, 'Amount': payload.amount}" },
          saveAs: 'vars.answer',
        },
      },
    ],
    output: { $expr: 'vars.answer' },
  });
  const runId = await startRun(client, key, { team: 'Platform', amount: 4200 });
  await expect.poll(() => statusOf(client, runId), { timeout: 20_000 }).toBe('WAITING');

  await ann.page.goto('/inbox');
  const annRow = ann.page.locator('[data-task-row]').filter({ hasText: 'Approve the offsite budget' });
  await expect(annRow).toContainText('0 of 2 approvals · 2 more needed');
  await annRow.getByRole('link', { name: 'Approve the offsite budget' }).click();
  await expect(ann.page.locator('[data-task-context]')).toContainText('Platform');
  await expect(ann.page.locator('[data-task-context]')).toContainText('4200');
  await ann.page.getByLabel('Note').fill('Within the plan');
  await ann.page.getByRole('button', { name: 'approve' }).click();
  await expect(ann.page.getByTestId('my-answer')).toContainText('You answered approve');
  await expect(ann.page.getByTestId('task-tally')).toHaveText('1 of 2 approvals · 1 more needed');

  await ben.page.goto('/inbox');
  await expect(ben.page.locator('[data-task-row]').filter({ hasText: 'Approve the offsite budget' })).toContainText(
    '1 of 2 approvals · 1 more needed',
  );
  await ben.page.getByRole('link', { name: 'Approve the offsite budget' }).click();
  const answers = ben.page.getByRole('list', { name: 'Answers' });
  await expect(answers).toContainText(ann.email);
  await expect(ben.page.locator('[data-task-progress]')).toContainText(`Not answered yet: ${ben.email}, ${cat.email}`);
  await ben.page.getByLabel('New comment').fill('Is the venue booked?');
  await ben.page.getByRole('button', { name: 'Comment' }).click();
  await expect(ben.page.locator('[data-task-comment]')).toContainText('Is the venue booked?');
  await ben.page.getByRole('button', { name: 'approve' }).click();
  await expect(ben.page.locator('[data-task-answer]')).toContainText(`by ${ben.email}`);
  await expect.poll(() => statusOf(client, runId), { timeout: 20_000 }).toBe('SUCCEEDED');
  const output = (await (await client.get(`/runs/${runId}`)).json()).output as { answers: { by: string }[] };
  expect(output.answers.map((a) => a.by)).toEqual([ann.email, ben.email]);

  const taskId = await (async () => {
    const tasks = (await (await client.get(`/tasks?workflow=${key}`)).json()).items as { id: string }[];
    return tasks[0]!.id;
  })();
  await cat.page.goto(`/inbox/${taskId}`);
  await expect(cat.page.locator('[data-task-answer]')).toContainText('approve');
  await expect(cat.page.locator('[data-task-comment]')).toContainText('Is the venue booked?');
  await expect(cat.page.getByRole('button', { name: 'reject' })).toHaveCount(0);
});

test('a claimed task is answered only by its claimer; release and reassign hand it on; the starter cannot approve their own run', async ({
  page,
  browser,
  request,
}) => {
  const client = api(request);
  const ann = await operator(browser, client, 'ann');
  const ben = await operator(browser, client, 'ben');
  const key = unique('claims');
  await publish(client, key, {
    steps: [
      {
        id: 'approve',
        type: 'human.task',
        config: {
          title: 'Approve the laptop order',
          form: noteForm,
          outcomes: ['approve', 'reject'],
          assignee: { role: 'operator' },
          allowSelfApproval: false,
          dueInMs: 1,
        },
      },
    ],
  });
  // The bootstrap token belongs to the e2e admin: the admin started this run.
  const runId = await startRun(client, key);
  const taskId = await taskIdOf(client, runId);

  await signIn(page);
  await page.goto(`/inbox/${taskId}`);
  await expect(page.getByTestId('self-approval')).toContainText('You started this run');
  await expect(page.getByRole('button', { name: 'approve' })).toHaveCount(0);

  await ann.page.goto('/inbox');
  const row = ann.page.locator('[data-task-row]').filter({ hasText: 'Approve the laptop order' });
  await expect(row).toContainText('overdue');
  await row.getByRole('link', { name: 'Approve the laptop order' }).click();
  await ann.page.getByRole('button', { name: 'Claim' }).click();
  await expect(ann.page.getByTestId('claim-state')).toHaveText('Claimed by you');

  await ben.page.goto('/inbox');
  await expect(ben.page.locator('[data-task-row]').filter({ hasText: 'Approve the laptop order' })).toContainText(
    ann.email,
  );
  await ben.page.goto(`/inbox/${taskId}`);
  await expect(ben.page.getByRole('status').filter({ hasText: `${ann.email} claimed this task` })).toBeVisible();
  await expect(ben.page.getByRole('button', { name: 'approve' })).toHaveCount(0);
  await expect(ben.page.getByRole('button', { name: 'Claim' })).toHaveCount(0);

  await ann.page.getByRole('button', { name: 'Release' }).click();
  await expect(ann.page.getByTestId('claim-state')).toHaveText('Not claimed');
  await ann.page.getByLabel(/Reassign to/).fill(ben.email);
  await ann.page.getByRole('button', { name: 'Reassign' }).click();
  await expect(ann.page.getByRole('status').filter({ hasText: `assigned to ${ben.email}` })).toBeVisible();

  await ben.page.reload();
  await ben.page.getByLabel('Note').fill('Approved for the new hire');
  await ben.page.getByRole('button', { name: 'approve' }).click();
  await expect(ben.page.locator('[data-task-answer]')).toContainText(`by ${ben.email}`);
  await expect.poll(() => statusOf(client, runId), { timeout: 20_000 }).toBe('SUCCEEDED');
});

test('screenshots: an inbox of 200 tasks, a task with 5 of 7 answers, an overdue claimed task', async ({
  browser,
  request,
}) => {
  test.setTimeout(240_000);
  const client = api(request);
  const people = [];
  for (let index = 0; index < 7; index += 1) people.push(await operator(browser, client, `p${index + 1}`));
  const [viewer] = people;
  const bulk = unique('queue');
  await publish(client, bulk, {
    steps: [
      {
        id: 'check',
        type: 'human.task',
        config: {
          title: { $expr: "'Check expense report #' & $string(payload.n)" },
          form: { type: 'object' },
          outcomes: ['approve', 'reject'],
          assignee: { user: viewer!.email },
          dueInMs: 86_400_000,
        },
      },
    ],
  });
  const runIds: string[] = [];
  for (let n = 0; n < 200; n += 1) {
    const started = await client.post(`/workflows/${bulk}/runs`, { input: { n } });
    runIds.push((await started.json()).runId as string);
  }
  const quorum = unique('seven');
  await publish(client, quorum, {
    steps: [
      {
        id: 'approve',
        type: 'human.task',
        config: {
          title: 'Approve the 2027 hiring plan',
          form: noteForm,
          outcomes: ['approve', 'reject'],
          assignee: { users: people.map((p) => p.email) },
          approvals: { required: 'all' },
          context: { Department: 'Engineering', Headcount: 14, Budget: '1.9M EUR' },
        },
      },
    ],
  });
  const quorumRun = await startRun(client, quorum);
  runIds.push(quorumRun);
  const overdueKey = unique('overdue');
  await publish(client, overdueKey, {
    steps: [
      {
        id: 'approve',
        type: 'human.task',
        config: {
          title: 'Renew the support contract',
          form: noteForm,
          outcomes: ['approve', 'reject'],
          assignee: { users: [viewer!.email, people[1]!.email] },
          dueInMs: 1,
        },
      },
    ],
  });
  const overdueRun = await startRun(client, overdueKey);
  runIds.push(overdueRun);
  const quorumTask = await taskIdOf(client, quorumRun);
  for (const person of people.slice(1, 6)) {
    await person.page.goto(`/inbox/${quorumTask}`);
    await person.page.getByRole('button', { name: 'approve' }).click();
    await expect(person.page.getByTestId('my-answer')).toBeVisible();
  }
  const overdueTask = await taskIdOf(client, overdueRun);
  const page = viewer!.page;
  await page.goto(`/inbox/${overdueTask}`);
  await page.getByRole('button', { name: 'Claim' }).click();
  await expect(page.getByTestId('claim-state')).toHaveText('Claimed by you');
  await expect
    .poll(
      async () =>
        (
          (
            await (
              await client.get(`/tasks?assignedTo=${encodeURIComponent(viewer!.email)}&status=open&limit=200`)
            ).json()
          ).items as unknown[]
        ).length,
      { timeout: 60_000 },
    )
    .toBeGreaterThanOrEqual(200);

  await page.goto('/inbox');
  await expect(page.locator('[data-task-row]')).toHaveCount(200);
  await shoot(page, 'inbox-200');
  await page.goto(`/inbox/${quorumTask}`);
  await expect(page.getByTestId('task-tally')).toHaveText('5 of 7 approvals · 2 more needed');
  await shoot(page, 'task-5-of-7');
  await page.goto(`/inbox/${overdueTask}`);
  await expect(page.getByTestId('claim-state')).toHaveText('Claimed by you');
  await shoot(page, 'task-overdue-claimed');
  await page.goto('/inbox?overdue=true&claimed=true');
  await expect(page.locator('[data-task-row]')).toHaveCount(1);
  await expect(page.getByTestId('claimed-by')).toContainText('by you');
  await shoot(page, 'inbox-overdue-claimed');

  // Leave nothing waiting for the specs after this one.
  for (const runId of runIds) await client.post(`/runs/${runId}/cancel`);
});

test('a person delegates their tasks in Settings → Account; the delegate answers on their behalf', async ({
  browser,
  request,
}) => {
  const client = api(request);
  const ann = await operator(browser, client, 'ann');
  const ben = await operator(browser, client, 'ben');
  const key = unique('delegated');
  await publish(client, key, {
    steps: [
      {
        id: 'approve',
        type: 'human.task',
        config: {
          title: 'Approve the conference trip',
          form: noteForm,
          outcomes: ['approve', 'reject'],
          assignee: { user: ann.email },
          saveAs: 'vars.answer',
        },
      },
    ],
    output: { $expr: 'vars.answer' },
  });
  await ann.page.goto('/settings/account');
  const today = new Date().toISOString().slice(0, 10);
  const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  await ann.page.getByLabel('Delegate to').fill(ben.email);
  await ann.page.getByLabel('From').fill(today);
  await ann.page.getByLabel('Until (inclusive)').fill(nextWeek);
  await ann.page.getByRole('button', { name: 'Save delegation' }).click();
  await expect(ann.page.getByTestId('delegation-current')).toContainText(ben.email);
  await shoot(ann.page, 'account-delegation');

  const runId = await startRun(client, key);
  await expect.poll(() => statusOf(client, runId), { timeout: 20_000 }).toBe('WAITING');
  await ben.page.goto('/inbox');
  await ben.page.getByRole('link', { name: 'Approve the conference trip' }).click();
  await expect(ben.page.getByTestId('on-behalf-of')).toContainText(ann.email);
  await ben.page.getByRole('button', { name: 'approve' }).click();
  await expect(ben.page.locator('[data-task-answer]')).toContainText(`by ${ben.email}`);
  await expect.poll(() => statusOf(client, runId), { timeout: 20_000 }).toBe('SUCCEEDED');
  const output = (await (await client.get(`/runs/${runId}`)).json()).output as { answers: unknown[] };
  expect(output.answers).toEqual([expect.objectContaining({ by: ben.email, onBehalfOf: ann.email })]);
  await ann.page.getByRole('button', { name: 'End delegation' }).click();
  await expect(ann.page.getByTestId('delegation-current')).toHaveCount(0);
});
