import { expect, test, type Page } from '@playwright/test';
import { nestedDefinition } from '../bench/lib/nested-definition';
import { api, signIn } from './support';
import { addMemberThroughUi, unique } from './ui-support';

const SHOTS = process.env.DESIGNER_SHOTS_DIR ?? '/tmp/designer-shots';

const field = (page: Page, path: string) => page.locator(`[data-config-path="${path}"]`).first();
const card = (page: Page, stepId: string) => page.locator(`[data-step-header="${stepId}"]`);
const palette = (page: Page) => page.getByRole('complementary', { name: 'Step palette' });
const saveState = (page: Page) => page.getByTestId('save-state');
const rootOrder = (page: Page) =>
  page
    .locator('[data-pipe-id="root"] > [data-step-id]')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-step-id')));

async function importDraft(request: Parameters<typeof api>[0], key: string, steps: unknown[]) {
  const response = await api(request).post('/workflows/import', { key, name: `Designer ${key}`, steps });
  expect(response.status(), await response.text()).toBeLessThan(300);
}

const leaf = (id: string) => ({ id, type: 'state.set', name: `Step ${id}`, config: { state: id } });

test('build a workflow from an empty one with the palette and forms, see a problem, fix it, publish, run it with the form', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/workflows');
  await page.getByRole('button', { name: 'New workflow' }).click();
  const dialog = page.getByRole('dialog', { name: 'New workflow' });
  const key = unique('inv');
  await dialog.getByLabel('Name').fill('Invoice approval');
  await dialog.getByLabel('Key').fill(key);
  await dialog.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page).toHaveURL(new RegExp(`/workflows/${key}$`));
  await expect(palette(page).getByRole('button', { name: 'Set run state' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/empty.png`, fullPage: true });

  // Search the palette, click an item: the step lands at the end and is selected.
  await palette(page).getByRole('searchbox').fill('run state');
  await expect(palette(page).getByRole('button', { name: 'If / else' })).toHaveCount(0);
  await palette(page).getByRole('button', { name: 'Set run state' }).click();
  await field(page, 'config.state').getByRole('textbox').first().fill('received');
  await expect(card(page, 'set')).toContainText('state received');
  // Enter on a palette item inserts after the selected step.
  await palette(page).getByRole('searchbox').fill('');
  await palette(page).getByRole('button', { name: 'If / else' }).focus();
  await page.keyboard.press('Enter');
  await expect(card(page, 'if')).toBeVisible();
  expect(await rootOrder(page)).toEqual(['set', 'if']);

  // Publishing shows the missing condition on its step; the problem leads to the field.
  await expect(saveState(page)).toContainText('Saved');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText(/Not published: \d+ problem/)).toBeVisible();
  const problems = page.getByRole('list', { name: 'Problems', exact: true });
  await expect(problems).toContainText('config.condition');
  await expect(card(page, 'if')).toContainText('1');
  await page.screenshot({ path: `${SHOTS}/errors.png`, fullPage: true });
  await problems.getByRole('button').filter({ hasText: 'config.condition' }).click();
  const condition = field(page, 'config.condition');
  await condition.getByRole('radio', { name: 'Expression' }).click();
  await condition.getByRole('textbox').first().fill('payload.amount > 1000');

  // A step into the empty Then pipe: click the pipe, then the palette item.
  await page
    .getByRole('list', { name: 'If / else: Then' })
    .getByRole('button', { name: /click to add here/ })
    .click();
  await palette(page).getByRole('button', { name: 'Set run state' }).click();
  await field(page, 'config.state').getByRole('textbox').first().fill('needs-approval');
  await expect(page.getByRole('list', { name: 'If / else: Then' }).getByTestId('step-card')).toContainText(
    'needs-approval',
  );

  await expect(saveState(page)).toContainText('Saved');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('Published version 1')).toBeVisible();
  await expect(saveState(page)).toContainText('v1 published');

  // Run opens the form of the published version, and the run it starts opens and finishes.
  await page.getByRole('link', { name: 'Run', exact: true }).click();
  const runDialog = page.getByRole('dialog', { name: 'Run Invoice approval' });
  await expect(runDialog).toContainText('Starts version 1');
  await runDialog.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.locator('main').getByText('succeeded', { exact: true }).first()).toBeVisible({ timeout: 20_000 });
});

test('reorder by drag and drop and keyboard, nest by cut and paste, undo/redo, and the reload shows the autosaved draft', async ({
  page,
  request,
}) => {
  const key = unique('dnd');
  await importDraft(request, key, [
    leaf('a'),
    leaf('b'),
    leaf('c'),
    { id: 'gate', type: 'control.if', name: 'Gate', config: { condition: true, then: [], else: [] } },
    leaf('d'),
  ]);
  await signIn(page);
  await page.goto(`/workflows/${key}`);
  // The palette comes from the registry fetched in the browser: the page is hydrated and live.
  await expect(palette(page).getByRole('button', { name: 'Set run state' })).toBeVisible();

  // The library's keyboard drag: focus the handle, Space, ArrowDown, Space.
  await page.getByRole('button', { name: 'Drag Step a' }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await expect.poll(() => rootOrder(page)).toEqual(['b', 'a', 'c', 'gate', 'd']);

  // Alt+ArrowUp on a focused card moves it; undo and redo, by keys and buttons.
  await card(page, 'c').focus();
  await page.keyboard.press('Alt+ArrowUp');
  await expect.poll(() => rootOrder(page)).toEqual(['b', 'c', 'a', 'gate', 'd']);
  await page.keyboard.press('Control+z');
  await expect.poll(() => rootOrder(page)).toEqual(['b', 'a', 'c', 'gate', 'd']);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect.poll(() => rootOrder(page)).toEqual(['b', 'c', 'a', 'gate', 'd']);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => rootOrder(page)).toEqual(['b', 'a', 'c', 'gate', 'd']);

  // Nesting from the keyboard: cut the step, choose the Then pipe, paste.
  const target = page.getByRole('list', { name: 'Gate: Then' });
  await card(page, 'd').focus();
  await page.keyboard.press('Control+x');
  await expect.poll(() => rootOrder(page)).toEqual(['b', 'a', 'c', 'gate']);
  await target.getByRole('button', { name: /click to add here/ }).click();
  await page.keyboard.press('Control+v');
  await expect(target.locator('[data-step-id="d"]')).toBeVisible();
  expect(await rootOrder(page)).toEqual(['b', 'a', 'c', 'gate']);

  // Duplicate, then delete the copy after confirming.
  await card(page, 'a').focus();
  await page.keyboard.press('Control+d');
  await expect.poll(() => rootOrder(page)).toEqual(['b', 'a', 'a-2', 'c', 'gate']);
  await card(page, 'a-2').focus();
  await page.keyboard.press('Delete');
  await page.getByRole('dialog', { name: 'Delete this step?' }).getByRole('button', { name: 'Delete step' }).click();
  await expect.poll(() => rootOrder(page)).toEqual(['b', 'a', 'c', 'gate']);

  await expect(saveState(page)).toContainText('Saved');
  await page.reload();
  await expect(card(page, 'a')).toBeVisible();
  expect(await rootOrder(page)).toEqual(['b', 'a', 'c', 'gate']);
  await expect(page.getByRole('list', { name: 'Gate: Then' }).locator('[data-step-id="d"]')).toBeVisible();
});

/**
 * A mouse drag as a hand makes it: press on the handle, small moves to start the drag, then
 * follow the target with the pointer (the cards close up where the step left and open where
 * it hovers, so the target moves) and drop just inside its top edge.
 */
async function mouseDrag(page: Page, handleName: string, target: ReturnType<Page['getByRole']>) {
  const handle = page.getByRole('button', { name: handleName });
  await handle.scrollIntoViewIfNeeded();
  const from = (await handle.boundingBox())!;
  let at = { x: from.x + from.width / 2, y: from.y + from.height / 2 };
  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  for (let i = 1; i <= 4; i++) await page.mouse.move(at.x + 2 * i, at.y + 2 * i);
  at = { x: at.x + 8, y: at.y + 8 };
  for (let round = 0; round < 8; round++) {
    const box = (await target.boundingBox())!;
    const aim = { x: box.x + Math.min(40, box.width / 2), y: box.y + Math.min(box.height / 2, 12) };
    if (Math.abs(aim.x - at.x) < 2 && Math.abs(aim.y - at.y) < 2) break;
    for (let i = 1; i <= 8; i++)
      await page.mouse.move(at.x + ((aim.x - at.x) * i) / 8, at.y + ((aim.y - at.y) * i) / 8);
    at = aim;
  }
  await page.mouse.up();
}

test('a mouse drag nests a step in a block from above and from below, exactly where the pointer is', async ({
  page,
  request,
}) => {
  const key = unique('nest');
  await page.setViewportSize({ width: 1280, height: 1000 });
  await importDraft(request, key, [
    leaf('a'),
    leaf('b'),
    { id: 'gate', type: 'control.if', name: 'Gate', config: { condition: true, then: [leaf('t1')], else: [] } },
    leaf('c'),
    leaf('d'),
  ]);
  await signIn(page);
  await page.goto(`/workflows/${key}`);
  await expect(palette(page).getByRole('button', { name: 'Set run state' })).toBeVisible();
  const then = page.getByRole('list', { name: 'Gate: Then' });
  const otherwise = page.getByRole('list', { name: 'Gate: Else' });
  const pipeOrder = (list: ReturnType<Page['getByRole']>) =>
    list
      .locator(':scope > [data-step-id]')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-step-id')));

  // From above: the block shifts up under the pointer as "a" leaves its place.
  await mouseDrag(page, 'Drag Step a', then);
  await expect.poll(() => pipeOrder(then)).toEqual(['a', 't1']);
  expect(await rootOrder(page)).toEqual(['b', 'gate', 'c', 'd']);

  // From below, into the empty Else pipe.
  await mouseDrag(page, 'Drag Step d', otherwise);
  await expect.poll(() => pipeOrder(otherwise)).toEqual(['d']);
  expect(await rootOrder(page)).toEqual(['b', 'gate', 'c']);

  // What is saved is what the canvas shows.
  await expect(saveState(page)).toContainText('Saved');
  const saved = await (await api(request).get(`/workflows/${key}/versions/1`)).json();
  const gate = saved.steps.find((step: { id: string }) => step.id === 'gate');
  expect(saved.steps.map((step: { id: string }) => step.id)).toEqual(['b', 'gate', 'c']);
  expect(gate.config.then.map((step: { id: string }) => step.id)).toEqual(['a', 't1']);
  expect(gate.config.else.map((step: { id: string }) => step.id)).toEqual(['d']);
});

test('a save from a stale second tab is refused with a message, and never overwrites', async ({
  page,
  context,
  request,
}) => {
  const key = unique('tabs');
  await importDraft(request, key, [leaf('a'), leaf('b')]);
  await signIn(page);
  const second = await context.newPage();
  await page.goto(`/workflows/${key}`);
  await second.goto(`/workflows/${key}`);
  await expect(card(second, 'a')).toBeVisible();

  await card(page, 'a').focus();
  await page.keyboard.press('Alt+ArrowDown');
  await expect(saveState(page)).toContainText('Saved');

  await card(second, 'a').focus();
  await second.keyboard.press('Control+d');
  await expect(saveState(second)).toContainText('saved this draft first');
  await expect(second.getByRole('button', { name: 'Reload' })).toBeVisible();
  await page.reload();
  await expect(card(page, 'a')).toBeVisible();
  expect(await rootOrder(page)).toEqual(['b', 'a']);
});

test('a viewer sees the designer read-only; screenshots of a 300-step workflow, wide and narrow', async ({
  page,
  browser,
  request,
}) => {
  const key = unique('big');
  const response = await api(request).post('/workflows/import', nestedDefinition(key));
  expect(response.status(), await response.text()).toBeLessThan(300);
  await signIn(page);
  await page.goto(`/workflows/${key}`);
  // Blocks past the open budget start collapsed: 46 of 300 cards are drawn (collapse-plan.ts;
  // OPEN_CARD_BUDGET went from 120 to 48, about three screens, in issue #16's fifth round).
  await expect(page.getByTestId('step-card')).toHaveCount(46);
  await page.screenshot({ path: `${SHOTS}/300-steps.png` });
  await page.getByRole('button', { name: 'Collapse Check b1', exact: true }).click();
  await expect(page.locator('[data-collapsed-row="b1"]')).toHaveText('6 steps inside, collapsed: show');
  await page.getByRole('button', { name: 'Graph' }).click();
  await expect(page.locator('.react-flow')).toBeVisible();
  await page.getByRole('button', { name: 'Pipe' }).click();
  await page.setViewportSize({ width: 420, height: 900 });
  // Narrow: the palette folds into one row, so the pipe starts on the first screen.
  await expect(palette(page).getByPlaceholder('Search steps')).toBeHidden();
  await expect(page.getByTestId('step-card').first()).toBeInViewport();
  await page.screenshot({ path: `${SHOTS}/narrow-420.png` });
  await palette(page).getByRole('button', { name: 'Add a step' }).click();
  await expect(palette(page).getByPlaceholder('Search steps')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/narrow-420-palette-open.png` });
  await palette(page).getByRole('button', { name: 'Add a step' }).press('Enter');
  await expect(palette(page).getByPlaceholder('Search steps')).toBeHidden();

  const email = `${unique('viewer')}@e2e.test`;
  const password = await addMemberThroughUi(page, { email, role: 'viewer' });
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, email, password);
  await viewer.goto(`/workflows/${key}`);
  await expect(viewer.getByTestId('step-card')).toHaveCount(46);
  await expect(viewer.getByText('Read only for your role')).toBeVisible();
  await expect(viewer.getByRole('complementary', { name: 'Step palette' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Publish' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: /^Drag / })).toHaveCount(0);
  await card(viewer, 's2').click();
  await expect(viewer.getByTestId('step-config-panel')).toBeVisible();
  await viewer.screenshot({ path: `${SHOTS}/read-only.png` });
  await viewerContext.close();
});
