import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { api, E2E_ADMIN, signIn } from './support';
import { unique } from './ui-support';

const SHOTS = process.env.DESIGNER_SHOTS_DIR ?? '/tmp/designer-shots';

const field = (page: Page, path: string) => page.locator(`[data-config-path="${path}"]`).first();
const card = (page: Page, stepId: string) => page.locator(`[data-step-header="${stepId}"]`);
const palette = (page: Page) => page.getByRole('complementary', { name: 'Step palette' });
const saveState = (page: Page) => page.getByTestId('save-state');
const rootOrder = (page: Page) =>
  page
    .locator('[data-pipe-id="root"] > [data-step-id]')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-step-id')));
const pipeOrder = (list: Locator) =>
  list
    .locator(':scope > [data-step-id]')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-step-id')));

/** The ERP the workflow calls: GET /invoices/<id> answers JSON; every request it gets is kept, with its Idempotency-Key. */
type TErp = { url: string; requests: string[]; idempotencyKeys: string[]; server: Server };
let erp: TErp;

test.beforeAll(async () => {
  const requests: string[] = [];
  const idempotencyKeys: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    idempotencyKeys.push(String(request.headers['idempotency-key'] ?? ''));
    const match = /^\/invoices\/([^/?]+)$/.exec(request.url ?? '');
    if (request.method !== 'GET' || !match) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id: decodeURIComponent(match[1]!), vendor: 'Acme Tools', currency: 'EUR' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  erp = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, idempotencyKeys, server };
});

test.beforeEach(() => {
  erp.requests.length = 0;
  erp.idempotencyKeys.length = 0;
});

test.afterAll(async () => {
  await new Promise<void>((resolve, reject) => erp.server.close((error) => (error ? reject(error) : resolve())));
});

/** Opens the field picker of an expression field (if closed), searches and inserts one name at the cursor. */
async function insertField(scope: Locator, search: string, path: string) {
  const picker = scope.getByRole('group', { name: 'Fields available here' });
  if (!(await picker.isVisible())) await scope.getByRole('button', { name: 'Insert field' }).click();
  await scope.getByLabel('Search fields').fill(search);
  await scope
    .getByRole('list', { name: 'Fields' })
    .getByRole('button', { name: new RegExp(`^${path.replace(/[.$]/g, '\\$&')}\\b`) })
    .first()
    .click();
  // The editor takes the focus back, the cursor after the inserted name, so typing goes on from there.
  await expect(scope.getByRole('textbox').first()).toBeFocused();
}

/** Picks an option of a Radix select by keyboard: focus it, open with Enter, arrow to the option, Enter. */
async function chooseByKeyboard(page: Page, select: Locator, option: string) {
  await select.focus();
  await page.keyboard.press('Enter');
  const listbox = page.getByRole('listbox');
  await expect(listbox).toBeVisible();
  for (let i = 0; i < 12; i++) {
    const focused = listbox.locator('[role="option"][data-highlighted]');
    if ((await focused.count()) > 0 && (await focused.innerText()).trim() === option) break;
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  await expect(select).toHaveText(option);
}

/**
 * A mouse drag from a palette item into an empty pipe, as a hand makes it: press, small first
 * moves so the dnd library starts the drag, then follow the target (it moves as the library
 * opens room) and drop on its middle.
 */
async function dragFromPalette(page: Page, itemName: string, target: Locator) {
  const item = palette(page).getByRole('button', { name: itemName, exact: true });
  await item.scrollIntoViewIfNeeded();
  const from = (await item.boundingBox())!;
  let at = { x: from.x + from.width / 2, y: from.y + from.height / 2 };
  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  for (let i = 1; i <= 4; i++) await page.mouse.move(at.x + 2 * i, at.y + 2 * i);
  at = { x: at.x + 8, y: at.y + 8 };
  // The drag has begun when the library shows the item's clone, portalled to <body>, under the pointer.
  await expect(page.locator('body > [data-rfd-draggable-id]').filter({ hasText: itemName })).toHaveCount(1);
  // Follow the target until it lights up, then let go, as a hand does. The target moves under
  // the pointer: a pipe the pointer crosses on the way opens room and pushes the ones below it
  // down (with an animation), and the canvas works out the drop from the pointer once per frame
  // (use-step-drag.ts), so releasing right after the last move could drop where it was before.
  await expect(async () => {
    const box = (await target.boundingBox())!;
    const aim = { x: box.x + Math.min(40, box.width / 2), y: box.y + box.height / 2 };
    if (Math.abs(aim.x - at.x) >= 2 || Math.abs(aim.y - at.y) >= 2) {
      for (let i = 1; i <= 10; i++)
        await page.mouse.move(at.x + ((aim.x - at.x) * i) / 10, at.y + ((aim.y - at.y) * i) / 10);
      at = aim;
    } else {
      // A hand is never quite still: a one-pixel move has the canvas look under the pointer again.
      await page.mouse.move(at.x + 1, at.y);
      await page.mouse.move(at.x, at.y);
    }
    await expect(target.getByRole('button', { name: /click to add here/ })).toBeHidden({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await page.mouse.up();
}

test('build the invoice approval from an empty workflow in the designer, fix a problem, publish, run it against a stub ERP and approve it in the inbox', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await signIn(page);
  await page.goto('/workflows');
  await page.getByRole('button', { name: 'New workflow' }).click();
  const dialog = page.getByRole('dialog', { name: 'New workflow' });
  const key = unique('invoice');
  await dialog.getByLabel('Name').fill('Invoice approval');
  await dialog.getByLabel('Key').fill(key);
  await dialog.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page).toHaveURL(new RegExp(`/workflows/${key}$`));
  await expect(palette(page).getByRole('button', { name: 'HTTP request' })).toBeVisible();

  // Workflow panels: the parameters (with the run form preview) and the ERP's URL as an env var.
  const panels = page.getByTestId('workflow-panels');
  const preview = page.getByTestId('run-form-preview');
  await panels.getByRole('button', { name: 'Add field' }).click();
  await panels.getByLabel('Field 1 name').fill('invoiceId');
  await panels.getByLabel('Field 1 required').check();
  await panels.getByRole('button', { name: 'Add field' }).click();
  // A name that another field has is held back with a reason (written, it would drop that field).
  await panels.getByLabel('Field 2 name').fill('invoiceId');
  await expect(
    panels.getByText('Another field is already called “invoiceId”. The field keeps “field2”.'),
  ).toBeVisible();
  await expect(panels.getByLabel('Field 2 name')).toHaveAttribute('aria-invalid', 'true');
  await panels.getByLabel('Field 2 name').fill('amount');
  await expect(panels.getByText(/Another field is already called/)).toHaveCount(0);
  await chooseByKeyboard(page, panels.getByLabel('Field 2 type'), 'number');
  await panels.getByLabel('Field 2 required').check();
  await expect(preview.getByLabel(/invoice id/i)).toBeVisible();
  await expect(preview.getByLabel(/amount/i)).toBeVisible();
  await panels.getByRole('button', { name: 'Add env var' }).click();
  await panels.getByLabel('Env vars name 1').fill('ERP_URL');
  await panels.getByLabel('Value of ERP_URL').fill(erp.url);
  await panels.getByRole('region', { name: 'Parameters' }).screenshot({ path: `${SHOTS}/invoice-parameters.png` });

  // 1. The ERP call, by a click on the palette item (appended to the empty pipe and selected).
  await palette(page).getByRole('searchbox').fill('http');
  await palette(page).getByRole('button', { name: 'HTTP request' }).click();
  await expect(page.getByTestId('step-config-panel')).toContainText('HTTP request');
  await field(page, 'name').getByRole('textbox').fill('Load invoice');
  await field(page, 'id').getByRole('textbox').fill('fetch');
  await page.keyboard.press('Enter');
  await expect(card(page, 'fetch')).toBeVisible();
  await chooseByKeyboard(page, field(page, 'config.input.method').getByRole('combobox'), 'GET');
  const url = field(page, 'config.input.url');
  await url.getByRole('radio', { name: 'Expression' }).click();
  const urlEditor = url.getByRole('textbox').first();
  await insertField(url, 'ERP', 'env.ERP_URL');
  await expect(urlEditor).toHaveText('env.ERP_URL');
  await expect(urlEditor).toBeFocused();
  await page.keyboard.type(' & "/invoices/" & ');
  await insertField(url, 'invoiceId', 'payload.invoiceId');
  await expect(urlEditor).toHaveText('env.ERP_URL & "/invoices/" & payload.invoiceId');
  await expect(url.getByTestId('expression-syntax-error')).toHaveCount(0);
  await field(page, 'config.saveAs').getByRole('textbox').fill('vars.invoice');

  // 2. The branch, from the keyboard: Enter on a palette item inserts after the selected step.
  await palette(page).getByRole('searchbox').fill('');
  await palette(page).getByRole('button', { name: 'If / else' }).focus();
  await page.keyboard.press('Enter');
  await expect(card(page, 'if')).toBeVisible();
  expect(await rootOrder(page)).toEqual(['fetch', 'if']);
  await field(page, 'name').getByRole('textbox').fill('Big invoice');
  await field(page, 'id').getByRole('textbox').fill('big');
  await page.keyboard.press('Enter');
  const condition = field(page, 'config.condition');
  await condition.getByRole('radio', { name: 'Expression' }).click();
  // The field picker from the keyboard alone: Enter opens it with the search focused, Tab reaches the first match.
  await condition.getByRole('button', { name: 'Insert field' }).focus();
  await page.keyboard.press('Enter');
  await expect(condition.getByLabel('Search fields')).toBeFocused();
  await page.keyboard.type('amount');
  await page.keyboard.press('Tab');
  await expect(condition.getByRole('list', { name: 'Fields' }).getByRole('button').first()).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(condition.getByRole('textbox').first()).toBeFocused();
  await page.keyboard.type(' > 1000');
  await expect(condition.getByRole('textbox').first()).toHaveText('payload.amount > 1000');

  // 3. The manager's approval, dragged from the palette into the Then pipe.
  const then = page.getByRole('list', { name: 'Big invoice: Then' });
  const otherwise = page.getByRole('list', { name: 'Big invoice: Else' });
  await dragFromPalette(page, 'Human task', then);
  await expect.poll(() => pipeOrder(then)).toEqual(['task']);
  expect(await rootOrder(page)).toEqual(['fetch', 'big']);
  await expect(page.getByTestId('step-config-panel')).toContainText('Human task');
  await field(page, 'name').getByRole('textbox').fill('Manager approval');
  await field(page, 'id').getByRole('textbox').fill('approve');
  await page.keyboard.press('Enter');
  // The title is left empty on purpose: publishing must point at it.
  const description = field(page, 'config.description');
  await description.getByRole('radio', { name: 'Expression' }).click();
  await description.getByRole('textbox').first().fill('"Vendor: " & ');
  await insertField(description, 'invoice', 'vars.invoice.body');
  await page.keyboard.type('.vendor');
  await expect(description.getByRole('textbox').first()).toHaveText('"Vendor: " & vars.invoice.body.vendor');
  const form = field(page, 'config.form');
  await form.getByRole('button', { name: 'Add field' }).click();
  await form.getByLabel('Field 1 name').fill('comment');
  await form.getByLabel('Field 1 title').fill('Comment');
  const outcomes = field(page, 'config.outcomes');
  await outcomes.getByRole('button', { name: 'Add', exact: true }).click();
  await outcomes.getByRole('textbox', { name: 'Item 1' }).fill('approve');
  await outcomes.getByRole('button', { name: 'Add', exact: true }).click();
  await outcomes.getByRole('textbox', { name: 'Item 2' }).fill('reject');
  const assignee = field(page, 'config.assignee');
  await assignee.getByRole('radio', { name: 'role' }).click();
  await chooseByKeyboard(page, assignee.getByRole('combobox'), 'admin');
  await field(page, 'config.saveAs').getByRole('textbox').fill('vars.decision');
  // A viewport tall enough for the whole side panel, which scrolls by itself otherwise.
  await page.setViewportSize({ width: 1280, height: 2600 });
  await page.screenshot({ path: `${SHOTS}/invoice-task-config.png` });
  await page.setViewportSize({ width: 1280, height: 1000 });

  // 4. Small invoices are approved without asking: click the Else pipe, then the palette item.
  await otherwise.getByRole('button', { name: /click to add here/ }).click();
  await palette(page).getByRole('searchbox').fill('variables');
  await palette(page).getByRole('button', { name: 'Set variables' }).click();
  await expect.poll(() => pipeOrder(otherwise)).toEqual(['assign']);
  await field(page, 'name').getByRole('textbox').fill('Approve automatically');
  const assign = field(page, 'config.assign');
  await assign.getByRole('button', { name: 'Add', exact: true }).click();
  await assign.getByLabel('Name 1').fill('vars.decision');
  // Any-JSON values take an expression too: the decision records the amount it was made for.
  const decision = field(page, 'config.assign.vars.decision');
  await decision.getByRole('radio', { name: 'Expression' }).click();
  await decision.getByRole('textbox').first().fill('{ "outcome": "auto-approve", "amount": ');
  await insertField(decision, 'amount', 'payload.amount');
  await page.keyboard.type(' }');
  await expect(decision.getByRole('textbox').first()).toHaveText(
    '{ "outcome": "auto-approve", "amount": payload.amount }',
  );
  await expect(decision.getByTestId('expression-syntax-error')).toHaveCount(0);

  // The run's output, in the workflow panel: the decision, from the field picker.
  await page.getByRole('button', { name: /^Workflow settings/ }).click();
  const output = field(page, 'output');
  await output.getByRole('radio', { name: 'Expression' }).click();
  await insertField(output, 'decision', 'vars.decision');
  await expect(output.getByRole('textbox').first()).toHaveText('vars.decision');
  await expect(saveState(page)).toContainText('Saved');
  await page.screenshot({ path: `${SHOTS}/invoice-built.png`, fullPage: true });

  // Publishing shows the missing title on its step; the problem leads to the field.
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Not published: 1 problem to fix first.')).toBeVisible();
  const problems = page.getByRole('list', { name: 'Problems', exact: true });
  await expect(problems.getByRole('listitem')).toHaveCount(1);
  await expect(problems).toContainText('Manager approval');
  await expect(problems).toContainText('config.title');
  await expect(card(page, 'approve').getByLabel('1 problem')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/invoice-errors.png`, fullPage: true });
  await problems.getByRole('button').filter({ hasText: 'config.title' }).click();
  const title = field(page, 'config.title');
  await expect(title.getByRole('textbox').first()).toBeFocused();
  await title.getByRole('radio', { name: 'Expression' }).click();
  await title.getByRole('textbox').first().fill('"Approve invoice " & ');
  await insertField(title, 'invoiceId', 'payload.invoiceId');
  await expect(title.getByRole('textbox').first()).toHaveText('"Approve invoice " & payload.invoiceId');
  await expect(card(page, 'approve').getByLabel(/problem/)).toHaveCount(0);

  await expect(saveState(page)).toContainText('Saved');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published version 1')).toBeVisible();
  await expect(saveState(page)).toContainText('v1 published');

  // What was published is what the canvas shows.
  const published = await (await api(request).get(`/workflows/${key}/versions/1`)).json();
  expect(published.status).toBe('published');
  expect(published.parameterSchema).toMatchObject({
    type: 'object',
    required: ['invoiceId', 'amount'],
    properties: { invoiceId: { type: 'string' }, amount: { type: 'number' } },
  });
  expect(published.env.vars).toEqual({ ERP_URL: erp.url });
  expect(published.output).toEqual({ $expr: 'vars.decision' });
  expect(published.steps.map((step: { id: string; type: string }) => [step.id, step.type])).toEqual([
    ['fetch', 'action.call'],
    ['big', 'control.if'],
  ]);
  const [fetchStep, bigStep] = published.steps;
  expect(fetchStep.config).toEqual({
    action: 'http.request',
    version: 1,
    input: { method: 'GET', url: { $expr: 'env.ERP_URL & "/invoices/" & payload.invoiceId' } },
    saveAs: 'vars.invoice',
  });
  expect(bigStep.config.condition).toEqual({ $expr: 'payload.amount > 1000' });
  expect(bigStep.config.then).toHaveLength(1);
  expect(bigStep.config.then[0]).toMatchObject({
    id: 'approve',
    type: 'human.task',
    name: 'Manager approval',
    config: {
      title: { $expr: '"Approve invoice " & payload.invoiceId' },
      form: { type: 'object', properties: { comment: { type: 'string', title: 'Comment' } } },
      outcomes: ['approve', 'reject'],
      assignee: { role: 'admin' },
      saveAs: 'vars.decision',
    },
  });
  expect(bigStep.config.else).toEqual([
    expect.objectContaining({
      id: 'assign',
      type: 'transform.assign',
      config: { assign: { 'vars.decision': { $expr: '{ "outcome": "auto-approve", "amount": payload.amount }' } } },
    }),
  ]);

  // Run it with the run form: a big invoice waits for the manager.
  const invoiceId = unique('INV');
  await page.getByRole('link', { name: 'Run', exact: true }).click();
  const runDialog = page.getByRole('dialog', { name: 'Run Invoice approval' });
  await expect(runDialog).toContainText('Starts version 1');
  await runDialog.getByLabel(/invoice id/i).fill(invoiceId);
  await runDialog.getByLabel(/amount/i).fill('2500');
  await runDialog.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = page.url().split('/').pop()!;
  await expect(page.locator('main').getByText('waiting', { exact: true }).first()).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: `${SHOTS}/invoice-run-waiting.png`, fullPage: true });

  // The manager answers in the inbox.
  await page.goto('/inbox');
  const row = page.locator('[data-task-row]').filter({ hasText: `Approve invoice ${invoiceId}` });
  await expect(row).toHaveCount(1);
  await page.screenshot({ path: `${SHOTS}/invoice-inbox.png` });
  await row.getByRole('link', { name: `Approve invoice ${invoiceId}` }).click();
  await expect(page.getByRole('heading', { name: `Approve invoice ${invoiceId}`, level: 1 })).toBeVisible();
  await expect(page.locator('[data-task-description]')).toContainText('Vendor: Acme Tools');
  await page.getByLabel('Comment', { exact: true }).fill('Checked against the PO');
  await page.screenshot({ path: `${SHOTS}/invoice-task.png`, fullPage: true });
  await page.getByRole('button', { name: 'approve', exact: true }).click();
  await expect(page.locator('[data-task-answer]')).toContainText(`approve by ${E2E_ADMIN.email}`);

  await page.goto(`/runs/${runId}`);
  await expect(page.locator('main').getByText('succeeded', { exact: true }).first()).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: `${SHOTS}/invoice-run-succeeded.png`, fullPage: true });
  const run = await (await api(request).get(`/runs/${runId}`)).json();
  expect(run.status).toBe('SUCCEEDED');
  expect(run.version).toBe(1);
  expect(run.output).toMatchObject({
    outcome: 'approve',
    data: { comment: 'Checked against the PO' },
    completedBy: E2E_ADMIN.email,
  });
  // The ERP was asked once, for this invoice.
  expect(erp.requests).toEqual([`GET /invoices/${invoiceId}`]);
  // SPEC §4.4: the call carries the run's default idempotency key, runId:stepPath.
  expect(erp.idempotencyKeys).toEqual([`${runId}:steps[0]`]);

  // A small invoice takes the Else branch and ends without a task.
  const smallId = unique('INV');
  await page.goto(`/workflows/${key}`);
  await page.getByRole('link', { name: 'Run', exact: true }).click();
  await runDialog.getByLabel(/invoice id/i).fill(smallId);
  await runDialog.getByLabel(/amount/i).fill('480');
  await runDialog.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  expect(page.url()).not.toContain(runId);
  await expect(page.locator('main').getByText('succeeded', { exact: true }).first()).toBeVisible({ timeout: 20_000 });
  const smallRunId = page.url().split('/').pop()!;
  const small = await (await api(request).get(`/runs/${smallRunId}`)).json();
  expect(small.output).toEqual({ outcome: 'auto-approve', amount: 480 });
  expect(erp.requests).toEqual([`GET /invoices/${invoiceId}`, `GET /invoices/${smallId}`]);
  const tasks = (await (await api(request).get('/tasks?mine=false&limit=100')).json()).items as Array<{
    runId: string;
  }>;
  expect(tasks.filter((task) => task.runId === runId)).toHaveLength(1);
  expect(tasks.filter((task) => task.runId === smallRunId)).toEqual([]);
});
