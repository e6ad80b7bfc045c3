import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, E2E_ADMIN, signIn } from './support';
import { waitForStreamedPage } from './ui-support';

// Every page a person uses, at 390 and 1440 px wide, with the longest names the schemas allow
// and without a hyphen to break them at. CI once failed because another spec had left a queued
// run whose 63-character key widened the Overview's grid: a layout bug of this kind only shows
// when some data happens to be there, so this spec makes that data itself.

type TClient = ReturnType<typeof api>;

const stamp = Date.now().toString(36);
/** `count` characters of `word` repeated, after a prefix that makes the text unique to this run. */
const long = (prefix: string, count: number, word = 'unbroken') =>
  `${prefix}${stamp}${word.repeat(Math.ceil(count / word.length))}`.slice(0, count);

const KEY = long('lnkey', 63, 'x'); // /^[a-z0-9][a-z0-9-]{0,62}$/, no hyphen
const NAME = long('Workflow', 200, 'Name');
const DESCRIPTION = long('Description', 200, 'Text');
const STEP_IF = long('decide', 64, 'I'); // /^[A-Za-z0-9_-]{1,64}$/
const STEP_FAIL = long('fail', 64, 'F');
const STEP_TASK = long('task', 64, 'T');
const STEP_NAME = long('StepName', 200, 'Step');
const TASK_TITLE = long('TaskTitle', 200, 'Approve');
const FIELD_LABEL = long('FieldLabel', 200, 'Label');
const OUTCOME = long('outcome', 64, 'o');
const ERROR_MESSAGE = long('ErrorMessage', 600, 'Failure');
const ERROR_CODE = long('LONG_CODE', 64, 'E').toUpperCase();
const TAGS = [long('tag', 50, 'a'), long('tag', 50, 'b'), long('tag', 50, 'c')];
const EVENT = long('event', 200, 'e');
const CONNECTION = long('connection', 128, 'c');
const SECRET = long('secret', 128, 's');
const TOKEN = long('token', 100, 't');
const MEMBER_NAME = long('Member', 100, 'Person');
const MEMBER_EMAIL = `${long('member', 64, 'm')}@${'d'.repeat(60)}.test`;
const ALERT_EMAIL = `${long('alert', 64, 'a')}@${'n'.repeat(60)}.test`;

const BULK = 200;
const BULK_KEY = `lnbulk-${stamp}`;

async function ok(response: Awaited<ReturnType<TClient['post']>>, status = 201): Promise<Record<string, unknown>> {
  expect(response.status(), await response.text()).toBe(status);
  return response.status() === 204 ? {} : ((await response.json()) as Record<string, unknown>);
}

async function statusOf(client: TClient, runId: string): Promise<string> {
  return ((await (await client.get(`/runs/${runId}`)).json()) as { status: string }).status;
}

/** Runs `make` for 0…count-1, `width` at a time (the API is what makes the data, not the browser). */
async function inParallel<T>(count: number, width: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += width) {
    const batch = Array.from({ length: Math.min(width, count - start) }, (_, i) => make(start + i));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

/**
 * At both widths: the document does not scroll sideways, and `text` is on the page where a
 * person can see it: whole (wrapped), or cut with an ellipsis and the whole text in a title.
 */
async function checkPage(page: Page, name: string, texts: string[], fullPage = true): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    // The whole page at phone width, where long names go wrong; the first screen at 1440 px.
    await page.screenshot({
      path: `test-results/screenshots/long-names-${name}-${width}.png`,
      fullPage: fullPage && width === 390,
    });
    const culprits = overflow > 0 ? await page.evaluate(findWideElements) : '';
    // Soft, so one run names every page that fails rather than the first.
    expect
      .soft(overflow, `${name} at ${width}px scrolls sideways by ${overflow}px: ${culprits}`)
      .toBeLessThanOrEqual(0);
    for (const text of texts) {
      const problem = await page.evaluate(findShownText, text);
      expect.soft(problem, `${name} at ${width}px: ${text.slice(0, 24)}…`).toBe('');
    }
  }
}

/** In the browser: the innermost elements reaching past the viewport's right edge, outside any box that scrolls or clips them. */
function findWideElements(): string {
  const wide = (element: Element) => element.getBoundingClientRect().right > window.innerWidth + 1;
  const contained = (element: Element) => {
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      if (getComputedStyle(parent).overflowX !== 'visible') return true;
    }
    return false;
  };
  const offenders = [...document.querySelectorAll('body *')].filter(
    (element) => wide(element) && !contained(element) && ![...element.children].some(wide),
  );
  return offenders
    .slice(0, 4)
    .map((element) => `<${element.tagName.toLowerCase()} class="${element.getAttribute('class') ?? ''}">`)
    .join(' ');
}

/**
 * In the browser: '' when some visible element shows `text` whole or visibly cut (CSS
 * ellipsis, or shortened with "…") with the whole text in its own or an ancestor's title;
 * otherwise what is wrong.
 */
function findShownText(text: string): string {
  const head = text.slice(0, 20);
  const holders = [...document.querySelectorAll<HTMLElement>('body *')].filter(
    (element) =>
      [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent?.includes(head)) ||
      ((element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) && element.value.includes(head)),
  );
  if (holders.length === 0) return 'not on the page';
  const problems: string[] = [];
  for (const element of holders) {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    // A cell of a wide table may start past the edge: the table scrolls in its own box to it.
    let scroller = false;
    for (let parent = element.parentElement; parent && !scroller; parent = parent.parentElement) {
      scroller = ['auto', 'scroll'].includes(getComputedStyle(parent).overflowX);
    }
    if (!scroller && (box.left >= window.innerWidth || box.right <= 0)) {
      problems.push(`${element.tagName} starts outside the viewport`);
      continue;
    }
    const whole = (element.textContent ?? '').includes(text) || ('value' in element && String(element.value) === text);
    const clipped = element.scrollWidth > element.clientWidth + 1;
    const titled = [...document.querySelectorAll<HTMLElement>('[title]')].some(
      (holder) => holder.contains(element) && holder.title.includes(text),
    );
    if (whole && !clipped) return '';
    if (whole && clipped && style.textOverflow === 'ellipsis' && titled) return '';
    if (!whole && titled) return '';
    if ('value' in element && whole) return ''; // a field scrolls its own text
    problems.push(
      `${element.tagName}.${element.className}: ${whole ? 'whole' : 'shortened'}, ${clipped ? 'clipped' : 'not clipped'}, ` +
        `${style.textOverflow}, ${titled ? 'titled' : 'no title'}`,
    );
  }
  return problems.length === 0 ? 'only in hidden elements' : problems.join('; ');
}

test('every page at 390 and 1440 px with the longest names and 200 items: no sideways scroll, names cut or wrapped', async ({
  page,
  request,
}) => {
  // About 3 minutes on a 2-core machine shared with other builds; most of it is loading and
  // drawing 25 pages twice and making 400 things through the API.
  test.setTimeout(300_000);
  const started = Date.now();
  const client = api(request);
  const cleanup: (() => Promise<unknown>)[] = [];
  const bulk: (() => Promise<unknown>)[] = [];
  try {
    // The workflow: an if whose then-pipe fails with a long message and whose else-pipe is a task for the admin.
    await ok(await client.post('/workflows', { key: KEY, name: NAME, description: DESCRIPTION, tags: TAGS }));
    const document = {
      key: KEY,
      name: NAME,
      description: DESCRIPTION,
      settings: { maxConcurrentRuns: 1 },
      parameterSchema: { type: 'object', properties: { mode: { type: 'string', title: FIELD_LABEL } } },
      steps: [
        {
          id: STEP_IF,
          type: 'control.if',
          name: STEP_NAME,
          config: {
            condition: { $expr: "payload.mode = 'fail'" },
            then: [{ id: STEP_FAIL, type: 'control.fail', config: { code: ERROR_CODE, message: ERROR_MESSAGE } }],
            else: [
              {
                id: STEP_TASK,
                type: 'human.task',
                name: STEP_NAME,
                config: {
                  title: TASK_TITLE,
                  description: DESCRIPTION,
                  form: {
                    type: 'object',
                    properties: {
                      note: { type: 'string', title: FIELD_LABEL, description: DESCRIPTION },
                      agreed: { type: 'boolean', title: `${FIELD_LABEL}Agreed` },
                    },
                  },
                  outcomes: ['approve', OUTCOME],
                  assignee: { user: E2E_ADMIN.email },
                  notify: true,
                  context: { [FIELD_LABEL.slice(0, 60)]: ERROR_MESSAGE },
                },
              },
            ],
          },
        },
      ],
    };
    await ok(await client.post(`/workflows/${KEY}/versions`, document), 200);
    await ok(await client.post(`/workflows/${KEY}/versions/1/publish`), 200);
    // A second version as a draft, so the version history has two rows and the designer a draft.
    await ok(await client.post(`/workflows/${KEY}/versions`, { ...document, description: `${DESCRIPTION}2` }), 200);

    // Runs: one failed, one waiting on the task, one queued behind it (maxConcurrentRuns: 1).
    const failed = (await ok(await client.post(`/workflows/${KEY}/runs`, { input: { mode: 'fail' } }), 202))
      .runId as string;
    await expect.poll(() => statusOf(client, failed), { timeout: 20_000 }).toBe('FAILED');
    const waiting = (await ok(await client.post(`/workflows/${KEY}/runs`, { input: { mode: 'task' } }), 202))
      .runId as string;
    cleanup.push(() => client.post(`/runs/${waiting}/cancel`, { reason: 'long names checked' }));
    await expect.poll(() => statusOf(client, waiting), { timeout: 20_000 }).toBe('WAITING');
    const queued = (await ok(await client.post(`/workflows/${KEY}/runs`, { input: { mode: 'task' } }), 202))
      .runId as string;
    // Canceled first at the end, so it never takes the slot the waiting run frees.
    cleanup.push(() => client.post(`/runs/${queued}/cancel`, { reason: 'long names checked' }));
    expect(await statusOf(client, queued)).toBe('QUEUED');

    // A disabled event trigger and an event of the same long name (starting nothing), a
    // connection, a secret, a token, a member and an alert rule on the workflow.
    await ok(
      await client.post('/secrets', { name: SECRET, value: 'long-names-secret-value', description: DESCRIPTION }),
    );
    await ok(
      await client.post(`/workflows/${KEY}/triggers`, { type: 'event', config: { event: EVENT }, enabled: false }),
    );
    await ok(await client.post(`/workflows/${KEY}/triggers`, { type: 'webhook', config: { secret: SECRET } }));
    await ok(await client.post('/events', { event: EVENT, correlationKey: ERROR_MESSAGE.slice(0, 500) }), 200);
    await ok(
      await client.post('/connections', {
        name: CONNECTION,
        type: 'http',
        description: DESCRIPTION,
        config: { baseUrl: `https://${'h'.repeat(60)}.example/${ERROR_MESSAGE.slice(0, 300)}` },
      }),
    );
    const token = await ok(await client.post('/tokens', { name: TOKEN, role: 'viewer' }));
    cleanup.push(() => client.delete(`/tokens/${token.id as string}`));
    await ok(await client.post('/members', { email: MEMBER_EMAIL, name: MEMBER_NAME, role: 'viewer' }));
    cleanup.push(() => client.delete(`/members/${encodeURIComponent(MEMBER_EMAIL)}`));
    await ok(
      await client.post('/alerts', {
        kind: 'failureRate',
        workflow: KEY,
        threshold: 1,
        minRuns: 1_000_000,
        notify: { email: ALERT_EMAIL, webhookUrl: `https://${'w'.repeat(60)}.example/${ERROR_MESSAGE.slice(0, 300)}` },
      }),
    );

    // 200 of each listed thing: workflows, and runs of one more workflow that each wait on a task for the admin.
    await inParallel(BULK, 20, async (index) => {
      const key = `${BULK_KEY}-${String(index).padStart(3, '0')}`;
      await ok(await client.post('/workflows', { key, name: `${NAME.slice(0, 150)} ${index}`, tags: TAGS }));
      bulk.push(() => client.delete(`/workflows/${key}`));
    });
    const taskKey = `${BULK_KEY}-tasks`;
    await ok(await client.post('/workflows', { key: taskKey, name: `${NAME.slice(0, 150)} tasks` }));
    await ok(
      await client.post(`/workflows/${taskKey}/versions`, {
        key: taskKey,
        name: `${NAME.slice(0, 150)} tasks`,
        steps: [
          {
            id: STEP_TASK,
            type: 'human.task',
            config: {
              title: { $expr: `'${TASK_TITLE.slice(0, 150)} ' & $string(payload.n)` },
              form: { type: 'object' },
              outcomes: ['approve', OUTCOME],
              assignee: { user: E2E_ADMIN.email },
            },
          },
        ],
      }),
      200,
    );
    await ok(await client.post(`/workflows/${taskKey}/versions/1/publish`), 200);
    const bulkRuns = await inParallel(BULK, 20, async (n) => {
      const runId = (await ok(await client.post(`/workflows/${taskKey}/runs`, { input: { n } }), 202)).runId as string;
      bulk.push(() => client.post(`/runs/${runId}/cancel`, { reason: 'long names checked' }));
      return runId;
    });
    expect(bulkRuns).toHaveLength(BULK);
    await expect
      .poll(
        async () =>
          (
            (await (await client.get(`/tasks?status=open&workflow=${taskKey}&limit=200`)).json()) as {
              items: unknown[];
            }
          ).items.length,
        { timeout: 60_000 },
      )
      .toBe(BULK);
    const tasks = (await (await client.get(`/tasks?status=open&workflow=${KEY}`)).json()) as {
      items: { id: string; runId: string }[];
    };
    const taskId = tasks.items.find((task) => task.runId === waiting)?.id ?? '';
    expect(taskId).not.toBe('');

    console.log(`data made: ${Date.now() - started} ms`);
    await signIn(page);
    const pages: [string, string, string[]][] = [
      ['workflows-filtered', `/workflows?q=${KEY}`, [NAME, KEY]],
      ['designer', `/workflows/${KEY}`, [NAME, KEY, STEP_NAME]],
      ['triggers', `/workflows/${KEY}/triggers`, [NAME, EVENT]],
      ['versions', `/workflows/${KEY}/versions`, [NAME]],
      ['version-1', `/workflows/${KEY}/versions/1`, [NAME, STEP_NAME]],
      ['workflow-alerts', `/workflows/${KEY}/alerts`, [NAME, ALERT_EMAIL]],
      ['runs-filtered', `/runs?workflow=${KEY}`, [KEY]],
      ['run-failed', `/runs/${failed}`, [KEY, ERROR_MESSAGE]],
      ['run-waiting', `/runs/${waiting}`, [KEY, TASK_TITLE]],
      ['run-queued', `/runs/${queued}`, [KEY]],
      ['task', `/inbox/${taskId}`, [TASK_TITLE, FIELD_LABEL, OUTCOME]],
      ['overview', '/overview', [KEY]],
      ['connections', '/settings/connections', [CONNECTION]],
      ['secrets', '/settings/secrets', [SECRET]],
      ['account', '/settings/account', []],
      ['tenant', '/settings/tenant', []],
      ['members', '/settings/members', [MEMBER_EMAIL]],
      ['tokens', '/settings/tokens', [TOKEN]],
      ['alerts', '/settings/alerts', [KEY, ALERT_EMAIL]],
      ['tenants', '/settings/tenants', []],
      // The 200 workflows and runs made after them push the secret's entries off the first page.
      ['audit', '/settings/audit?action=secret.', [SECRET]],
      ['outbox', '/outbox', [TASK_TITLE]],
      ['events', '/events', [EVENT]],
    ];
    for (const [name, path, texts] of pages) {
      const began = Date.now();
      await page.goto(path);
      await expect(page.locator('main')).toBeVisible();
      await waitForStreamedPage(page);
      await checkPage(page, name, texts);
      console.log(`${name}: ${Date.now() - began} ms`);
    }

    // The lists with 200 more items than before: they show a page and lead to the next.
    const workflowRows = page.getByRole('table', { name: 'Workflows' }).locator('tbody tr');
    await page.goto('/workflows');
    await expect(workflowRows).toHaveCount(200);
    await checkPage(page, 'workflows-200', [], false);
    const lastOfFirst = await workflowRows.last().getAttribute('data-testid');
    await page.getByRole('link', { name: 'Next page of workflows' }).click();
    await expect(page).toHaveURL(/cursor=/);
    await expect(workflowRows.first()).toBeVisible();
    expect(await workflowRows.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-testid')))).not.toContain(
      lastOfFirst,
    );
    await page.getByRole('link', { name: 'Back to the first page' }).click();
    await expect(workflowRows).toHaveCount(200);

    const runRows = page.getByRole('table').locator('tbody tr');
    await page.goto(`/runs?workflow=${taskKey}`);
    await expect(runRows).toHaveCount(50);
    await checkPage(page, 'runs-200', [taskKey], false);
    await page.getByRole('link', { name: /Older runs/ }).click();
    await expect(page).toHaveURL(/cursor=/);
    await expect(runRows).toHaveCount(50);

    const taskRows = page.locator('[data-task-row]');
    await page.goto('/inbox');
    await expect(taskRows).toHaveCount(200);
    await checkPage(page, 'inbox-200', [TASK_TITLE.slice(0, 150)], false);
    const firstPage = await taskRows.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-task-row')));
    await page.getByRole('link', { name: 'Next page of tasks' }).click();
    await expect(page).toHaveURL(/cursor=/);
    await expect(taskRows.first()).toBeVisible();
    const secondPage = await taskRows.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-task-row')));
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
  } finally {
    // Nothing this spec made may show on other specs' pages: the waiting and queued runs, 200
    // tasks and 200 workflows.
    for (const undo of cleanup.reverse()) await undo();
    await inParallel(bulk.length, 20, (index) => bulk[index]!());
  }
  // The canceled runs took their tasks with them: none of this spec's is left in anyone's inbox.
  await expect
    .poll(async () => {
      const open = (await (await client.get('/tasks?status=open&limit=200')).json()) as { items: { title: string }[] };
      return open.items.filter((task) => task.title.startsWith(TASK_TITLE.slice(0, 40))).length;
    })
    .toBe(0);
});
