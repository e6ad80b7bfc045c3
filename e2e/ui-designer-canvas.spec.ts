import { mkdirSync, readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

// Issue #18: the canvas for daily work (bug 10, friction 1, 6, 9, 10). Each part is done the way
// a person does it: the card's menu, right-click, the keyboard, the system clipboard.

type TClient = ReturnType<typeof api>;

const SHOTS = 'test-results/screenshots';
const card = (page: Page, stepId: string) => page.locator(`[data-step-header="${stepId}"]`);
const palette = (page: Page) => page.getByRole('complementary', { name: 'Step palette' });
const saveState = (page: Page) => page.getByTestId('save-state');
const notice = (page: Page) => page.getByRole('alert').or(page.getByRole('status')).filter({ hasText: /./ });
const pipeOrder = (page: Page, pipeId: string) =>
  page
    .locator(`[data-pipe-id="${pipeId}"] > [data-step-id]`)
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-step-id')));

async function shoot(page: Page, name: string, widths = [1440, 390]): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SHOTS}/canvas-${name}-${width}.png`, fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

const assign = (id: string, name?: string) => ({
  id,
  type: 'transform.assign',
  ...(name ? { name } : {}),
  config: { assign: { [`vars.${id}`]: 1 } },
});
const ifStep = (id: string, then: unknown[]) => ({ id, type: 'control.if', config: { condition: true, then } });

async function importDraft(client: TClient, key: string, steps: unknown[], tags?: string[]): Promise<void> {
  const response = await client.post('/workflows/import', {
    key,
    name: `Canvas ${key}`,
    steps,
    ...(tags ? { tags } : {}),
  });
  expect(response.status(), await response.text()).toBe(200);
}

async function openDesigner(page: Page, key: string): Promise<void> {
  await page.goto(`/workflows/${key}`);
  await expect(page.getByTestId('step-card').first()).toBeVisible();
}

test('bug 10: a draft-only workflow exports as its draft, with its tags; a published one offers both', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('export');
  await importDraft(client, key, [assign('one')], ['finance', 'eu']);
  await signIn(page);
  await page.goto(`/workflows?q=${key}`);
  await page
    .getByTestId(`workflow-row-${key}`)
    .getByRole('button', { name: `Actions for Canvas ${key}` })
    .click();
  // Before the fix the menu said "Export JSON (v1)": there is no v1, only a draft.
  await expect(page.getByRole('menuitem', { name: /Export JSON/ })).toHaveCount(0);
  const downloading = page.waitForEvent('download');
  await page.getByRole('menuitem', { name: 'Export draft JSON' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${key}-v1-draft.json`);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(exported).toMatchObject({ key, status: 'draft', version: 1, tags: ['finance', 'eu'] });

  // Importing the file under another key keeps the tags.
  const copyKey = unique('export-copy');
  const imported = await client.post('/workflows/import', { ...exported, key: copyKey });
  expect(imported.status(), await imported.text()).toBe(200);
  expect((await (await client.get(`/workflows/${copyKey}`)).json()).tags).toEqual(['finance', 'eu']);

  // Published v1 and a new draft v2: both are offered, each named for what it is.
  expect((await client.post(`/workflows/${key}/versions/1/publish`)).status()).toBe(200);
  await importDraft(client, key, [assign('one'), assign('two')]);
  await page.reload();
  await page
    .getByTestId(`workflow-row-${key}`)
    .getByRole('button', { name: `Actions for Canvas ${key}` })
    .click();
  await expect(page.getByRole('menuitem', { name: 'Export JSON (v1, published)' })).toBeVisible();
  await expect(page.getByRole('menuitem', { name: 'Export draft JSON' })).toBeVisible();
});

test('friction 1: each card has a menu and a context menu with shortcuts; copy and paste move steps between workflows through the system clipboard; undo covers it', async ({
  page,
  context,
  request,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const client = api(request);
  const source = unique('copy-from');
  const target = unique('copy-to');
  await importDraft(client, source, [assign('load', 'Load'), ifStep('check', [assign('inner')]), assign('notify')]);
  await importDraft(client, target, [assign('load', 'Existing load')]);
  await signIn(page);
  await openDesigner(page, source);

  // The "⋯" menu lists every command with its shortcut.
  await page.getByRole('button', { name: 'Step actions for check' }).click();
  const menu = page.getByRole('menu', { name: 'Actions for check' });
  for (const [item, shortcut] of [
    ['Duplicate', 'Ctrl+D'],
    ['Copy', 'Ctrl+C'],
    ['Cut', 'Ctrl+X'],
    ['Paste after', 'Ctrl+V'],
    ['Move up', 'Alt+↑'],
    ['Move down', 'Alt+↓'],
    ['Delete…', 'Del'],
  ] as const)
    await expect(menu.getByRole('menuitem', { name: new RegExp(`^${item}`) })).toContainText(shortcut);
  await shoot(page, 'card-menu');
  // The screenshots resized the window, which closes an open menu: open it again.
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Step actions for check' }).click();
  await menu.getByRole('menuitem', { name: /^Duplicate/ }).click();
  await expect(card(page, 'check-2')).toBeFocused();
  await expect(card(page, 'inner-2')).toBeVisible();
  expect(await pipeOrder(page, 'root')).toEqual(['load', 'check', 'check-2', 'notify']);

  // Right-click opens the same menu; Copy puts the step on the system clipboard as JSON.
  await card(page, 'load').click({ button: 'right' });
  await expect(page.getByRole('menu', { name: 'Actions for Load' })).toBeVisible();
  await shoot(page, 'context-menu');
  await page.keyboard.press('Escape');
  await card(page, 'load').click({ button: 'right' });
  await page.getByRole('menu', { name: 'Actions for Load' }).getByRole('menuitem', { name: /^Copy/ }).click();
  await expect(notice(page)).toContainText('Copied “Load”');
  const clipboard = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  expect(clipboard).toMatchObject({ pipewright: 'steps', steps: [{ id: 'load', name: 'Load' }] });
  // The context-menu key (here Shift+F10) on a focused card opens its menu too.
  await card(page, 'notify').focus();
  await page.keyboard.press('Shift+F10');
  await expect(page.getByRole('menu', { name: 'Actions for notify' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu', { name: 'Actions for notify' })).toBeHidden();
  // Ctrl+C on a focused block copies it with its inner steps.
  await card(page, 'check').focus();
  await page.keyboard.press('Control+c');
  await expect(notice(page)).toContainText('Copied “check”');
  await expect(saveState(page)).toContainText('Saved');

  // In another workflow (another tab), Ctrl+V pastes after the focused card; clashing ids are renamed.
  const other = await context.newPage();
  await openDesigner(other, target);
  await card(other, 'load').focus();
  await other.keyboard.press('Control+v');
  await expect(card(other, 'check')).toBeFocused();
  await expect(card(other, 'inner')).toBeVisible();
  expect(await pipeOrder(other, 'root')).toEqual(['load', 'check']);
  // The first copy (a step called "load") clashes with the target's own "load": it becomes load-2.
  await other.evaluate(() =>
    navigator.clipboard.writeText(
      JSON.stringify({
        pipewright: 'steps',
        steps: [{ id: 'load', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }],
      }),
    ),
  );
  await other.getByRole('button', { name: 'Step actions for check' }).click();
  await other.getByRole('menuitem', { name: /^Paste after/ }).click();
  await expect(notice(other)).toContainText('with new ids');
  expect(await pipeOrder(other, 'root')).toEqual(['load', 'check', 'load-2']);
  // Undo takes the pastes back one by one.
  await other.getByRole('button', { name: 'Undo' }).click();
  expect(await pipeOrder(other, 'root')).toEqual(['load', 'check']);
  await other.getByRole('button', { name: 'Undo' }).click();
  expect(await pipeOrder(other, 'root')).toEqual(['load']);
  await other.getByRole('button', { name: 'Redo' }).click();
  expect(await pipeOrder(other, 'root')).toEqual(['load', 'check']);
  await expect(saveState(other)).toContainText('Saved');
  const saved = await (await client.get(`/workflows/${target}/versions/1`)).json();
  expect(saved.steps.map((step: { id: string }) => step.id)).toEqual(['load', 'check']);

  // Text that is not steps: a clear message, nothing changed.
  await other.evaluate(() => navigator.clipboard.writeText('{"id": "half'));
  await card(other, 'load').focus();
  await other.keyboard.press('Control+v');
  // (Next's route announcer is an empty alert too: take the one about the clipboard.)
  const refusal = other.getByRole('alert').filter({ hasText: /clipboard/ });
  await expect(refusal).toContainText('The clipboard does not hold steps: it is not JSON');
  await expect(refusal).toContainText('Nothing was changed.');
  await other.evaluate(() => navigator.clipboard.writeText('{"id": "has space", "type": "x"}'));
  await other.keyboard.press('Control+v');
  await expect(refusal).toContainText('(id: use 1–64 letters');
  expect(await pipeOrder(other, 'root')).toEqual(['load', 'check']);

  // Cut from the menu, then paste at the end: the card moves; undo puts it back.
  await page.bringToFront();
  await page.getByRole('button', { name: 'Step actions for notify' }).click();
  await page.getByRole('menuitem', { name: /^Cut/ }).click();
  expect(await pipeOrder(page, 'root')).toEqual(['load', 'check', 'check-2']);
  await expect(card(page, 'check-2')).toBeFocused(); // the neighbour before it, as it was the last
  await page.getByRole('button', { name: 'Undo' }).click();
  expect(await pipeOrder(page, 'root')).toEqual(['load', 'check', 'check-2', 'notify']);
});

test('friction 1: when the browser refuses the clipboard, copy and paste still work across tabs of this browser', async ({
  browser,
  request,
}) => {
  const context = await browser.newContext();
  // What a denied permission looks like to the page: both calls reject with NotAllowedError.
  await context.addInitScript(() => {
    const refuse = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    Object.defineProperty(navigator, 'clipboard', { value: { readText: refuse, writeText: refuse } });
  });
  const client = api(request);
  const source = unique('deny-from');
  const target = unique('deny-to');
  await importDraft(client, source, [assign('greet', 'Greet')]);
  await importDraft(client, target, [assign('first')]);
  const page = await context.newPage();
  await signIn(page);
  await openDesigner(page, source);
  await card(page, 'greet').focus();
  await page.keyboard.press('Control+c');
  await expect(notice(page)).toContainText('pastes in this browser only');
  const other = await context.newPage();
  await openDesigner(other, target);
  await card(other, 'first').focus();
  await other.keyboard.press('Control+v');
  await expect(card(other, 'greet')).toBeFocused();
  expect(await pipeOrder(other, 'root')).toEqual(['first', 'greet']);
  await context.close();
});

test('friction 6 and 9: the insertion point is drawn and set by a click; Enter in the search adds the one match; focus follows adds and deletes; skip links', async ({
  page,
  request,
}) => {
  const key = unique('insert');
  await importDraft(api(request), key, [assign('a'), ifStep('check', [assign('inner')]), assign('z')]);
  await signIn(page);
  await openDesigner(page, key);
  const marker = page.getByTestId('insertion-point');

  // Nothing selected: new steps go at the end, and the line is drawn under the last card.
  await expect(marker).toHaveCount(1);
  await expect(page.locator('[data-step-id="z"]').getByTestId('insertion-point')).toBeVisible();
  // Selecting a step moves it right after that step (drawn above the next card).
  await card(page, 'a').click();
  await expect(page.locator('[data-step-id="check"] > [data-testid="insertion-point"]')).toBeVisible();
  // The "+" of a branch: its end.
  await page.getByRole('button', { name: 'Add steps at the end of check: Then' }).click();
  await expect(page.locator('[data-step-id="inner"]').getByTestId('insertion-point')).toBeVisible();
  await shoot(page, 'insertion-point', [1440]);
  // Enter in the search adds the single match there, and focus goes to the new card.
  await palette(page).getByRole('searchbox').fill('run state');
  await expect(palette(page)).toContainText('Enter adds “Set run state”');
  await palette(page).getByRole('searchbox').press('Enter');
  await expect(card(page, 'set')).toBeFocused();
  expect(await pipeOrder(page, 'check/then')).toEqual(['inner', 'set']);
  // Several matches: Enter adds nothing and says so.
  await palette(page).getByRole('searchbox').fill('a');
  await expect(palette(page)).toContainText('matches: type more, or pick one');
  await palette(page).getByRole('searchbox').press('Enter');
  expect(await pipeOrder(page, 'check/then')).toEqual(['inner', 'set']);
  // A click on empty canvas: the end of the top-level steps again.
  await page.locator('#designer-canvas').click({ position: { x: 5, y: 5 } });
  await expect(page.locator('[data-step-id="z"] > [data-testid="insertion-point"]')).toBeVisible();

  // Delete from the keyboard: focus goes to the step that took its place, then to the one before.
  await card(page, 'inner').focus();
  await page.keyboard.press('Delete');
  await page.getByRole('dialog', { name: 'Delete this step?' }).getByRole('button', { name: 'Delete step' }).click();
  await expect(card(page, 'set')).toBeFocused();
  await page.keyboard.press('Delete');
  await page.getByRole('dialog', { name: 'Delete this step?' }).getByRole('button', { name: 'Delete step' }).click();
  // The branch is empty now: focus lands on its "add here" button.
  await expect(page.locator('[data-empty-pipe="check/then"]')).toBeFocused();
  await card(page, 'z').focus();
  await page.keyboard.press('Delete');
  await page.getByRole('dialog', { name: 'Delete this step?' }).getByRole('button', { name: 'Delete step' }).click();
  await expect(card(page, 'check')).toBeFocused();

  // Skip links: to the palette's search and to the first card.
  await page.getByRole('link', { name: 'Skip to the step palette' }).focus();
  await expect(page.getByRole('link', { name: 'Skip to the step palette' })).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(palette(page).getByRole('searchbox')).toBeFocused();
  await page.getByRole('link', { name: 'Skip to the steps' }).focus();
  await page.keyboard.press('Enter');
  await expect(card(page, 'a')).toBeFocused();
});

test('friction 9: a task description is a multi-line field; answer buttons say no in red, and the answer badge too', async ({
  page,
  request,
}) => {
  test.slow(); // a run through the worker on a shared machine
  const client = api(request);
  const key = unique('outcomes');
  const task = {
    id: 'ask',
    type: 'human.task',
    config: {
      title: `Decide ${key}`,
      form: { type: 'object', properties: {} },
      outcomes: ['approve', 'escalate', 'reject'],
      assignee: { role: 'admin' },
      saveAs: 'vars.answer',
    },
  };
  await importDraft(client, key, [task]);
  await signIn(page);
  await openDesigner(page, key);
  await card(page, 'ask').click();
  const description = page.locator('[data-config-path="config.description"] textarea[data-multiline]');
  await expect(description).toBeVisible();
  await description.fill('Line one\nLine two');
  await expect(description).toHaveValue('Line one\nLine two');
  await expect(saveState(page)).toContainText('Saved');
  const saved = await (await client.get(`/workflows/${key}/versions/1`)).json();
  expect(saved.steps[0].config.description).toBe('Line one\nLine two');

  expect((await client.post(`/workflows/${key}/versions/1/publish`)).status()).toBe(200);
  const started = await client.post(`/workflows/${key}/runs`, { input: {} });
  expect(started.status()).toBeLessThan(300);
  const runId = (await started.json()).runId as string;
  // The worker opens the task: wait for the run to wait on it before looking in the inbox.
  await expect
    .poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status, { timeout: 30_000 })
    .toBe('WAITING');
  await page.goto('/inbox');
  await page.getByRole('link', { name: `Decide ${key}` }).click();
  const answers = page.getByRole('group', { name: 'Answer with an outcome' });
  await expect(answers.getByRole('button', { name: 'approve' })).toHaveAttribute('data-outcome-tone', 'primary');
  await expect(answers.getByRole('button', { name: 'escalate' })).toHaveAttribute('data-outcome-tone', 'neutral');
  await expect(answers.getByRole('button', { name: 'reject' })).toHaveAttribute('data-outcome-tone', 'danger');
  await answers.getByRole('button', { name: 'reject' }).click();
  const badge = page.locator('[data-task-answer]').getByText('reject', { exact: true });
  await expect(badge).toHaveClass(/text-danger/);
  await expect(badge).not.toHaveClass(/text-success/);
});

test('friction 9: version history restores a published version as the draft and discards a draft, asking first', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = unique('history');
  await importDraft(client, key, [assign('first')]);
  expect((await client.post(`/workflows/${key}/versions/1/publish`)).status()).toBe(200);
  await importDraft(client, key, [assign('first'), assign('second')]);
  expect((await client.post(`/workflows/${key}/versions/2/publish`)).status()).toBe(200);
  await importDraft(client, key, [assign('third')]);
  await signIn(page);
  await page.goto(`/workflows/${key}/versions`);

  // Restore v1: the dialog says draft v3 is replaced; Cancel changes nothing.
  await page.getByRole('button', { name: 'Restore v1 as the draft' }).click();
  const restoreDialog = page.getByRole('dialog', { name: 'Restore v1 as the draft?' });
  await expect(restoreDialog).toContainText('Draft v3 is replaced');
  await shoot(page, 'version-restore');
  await restoreDialog.getByRole('button', { name: 'Cancel' }).click();
  expect((await (await client.get(`/workflows/${key}/versions/3`)).json()).steps[0].id).toBe('third');
  await page.getByRole('button', { name: 'Restore v1 as the draft' }).click();
  await page
    .getByRole('dialog', { name: 'Restore v1 as the draft?' })
    .getByRole('button', { name: 'Restore as draft' })
    .click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored as draft v3.' })).toBeVisible();
  const restored = await (await client.get(`/workflows/${key}/versions/3`)).json();
  expect(restored.steps.map((step: { id: string }) => step.id)).toEqual(['first']);

  // Discard the draft: the designer opens v2 again.
  await page.getByRole('button', { name: 'Discard draft v3' }).click();
  const discardDialog = page.getByRole('dialog', { name: 'Discard draft v3?' });
  await expect(discardDialog).toContainText('cannot be undone');
  await discardDialog.getByRole('button', { name: 'Discard draft' }).click();
  await expect(page.getByTestId('version-row-3')).toHaveCount(0);
  await shoot(page, 'version-history');
  expect(await (await client.get(`/workflows/${key}`)).json()).toMatchObject({ latestVersion: 2, draftVersion: null });
  await page.goto('/settings/audit');
  await expect(
    page.getByRole('row').filter({ hasText: key }).filter({ hasText: 'workflow.draft_discarded' }),
  ).toHaveCount(1);
  await expect(
    page.getByRole('row').filter({ hasText: key }).filter({ hasText: 'workflow.version_restored' }),
  ).toHaveCount(1);
  await page.goto(`/workflows/${key}`);
  await expect(card(page, 'second')).toBeVisible();
});

test('friction 10: at phone width the navigation is a row and a "More" menu, never a sideways strip', async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  await page.goto('/workflows');
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Workflows', 'Runs', 'Inbox']) await expect(nav.getByRole('link', { name })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Events' })).toBeHidden();
  const navBox = await nav.evaluate((element) => ({ scroll: element.scrollWidth, client: element.clientWidth }));
  expect(navBox.scroll).toBeLessThanOrEqual(navBox.client);
  await nav.getByRole('button', { name: 'More pages' }).click();
  await expect(page.getByRole('menuitem', { name: 'Settings' })).toBeVisible();
  await shoot(page, 'phone-nav', [390]);
  await page.setViewportSize({ width: 390, height: 844 }); // shoot() leaves the window wide
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menuitem', { name: 'Settings' })).toBeHidden();
  await nav.getByRole('button', { name: 'More pages' }).click();
  await page.getByRole('menuitem', { name: 'Events' }).click();
  await expect(page).toHaveURL(/\/events$/);
  // Where you are stays visible: the button names the page.
  await expect(nav.getByRole('button', { name: 'More pages (now: Events)' })).toContainText('Events');
  // Wide, the column shows every page and no "More".
  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(nav.getByRole('link', { name: 'Events' })).toBeVisible();
  await expect(nav.getByRole('button', { name: /More pages/ })).toBeHidden();
});
