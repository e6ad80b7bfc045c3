import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { smallDefinition } from '../bench/lib/nested-definition';
import { api, signIn } from './support';
import { unique } from './ui-support';

const SHOTS = process.env.DESIGNER_SHOTS_DIR ?? 'test-results/screenshots';
const palette = (page: Page) => page.getByRole('complementary', { name: 'Step palette' });
const pipeOrder = (page: Page, pipeId: string) =>
  page
    .locator(`[data-pipe-id="${pipeId}"] > [data-step-id]`)
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-step-id')));
/** Where each palette item's button (and the faded copy of a dragged one) is drawn in the palette, by its title. */
const itemBoxes = (page: Page) =>
  palette(page)
    .locator('li button, li > [aria-hidden]')
    .evaluateAll((items) =>
      items.map((item) => {
        const box = item.getBoundingClientRect();
        const palette = item.closest('aside')!.getBoundingClientRect();
        return `${item.textContent} ${box.x - palette.x},${box.y - palette.y} ${box.width}×${box.height}`;
      }),
    );

// Issue #16: the drag library measures every droppable of the type at each lift, and the palette
// was one droppable per item (23), so that no item moved while another was dragged out. It is one
// list now, its items kept in place by the palette itself (palette.tsx).
test('a palette item dragged out: the palette is one list, no item moves, a faded copy keeps its place, the drop inserts where the pointer is', async ({
  page,
  request,
}) => {
  const key = unique('palettedrag');
  const response = await api(request).post('/workflows/import', smallDefinition(key));
  expect(response.status(), await response.text()).toBeLessThan(300);
  await signIn(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`/workflows/${key}`);
  const item = palette(page).getByRole('button', { name: 'Set run state', exact: true });
  await item.waitFor();
  mkdirSync(SHOTS, { recursive: true });
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SHOTS}/palette-resting-${width}.png`, fullPage: true });
  }
  expect(await palette(page).locator('[data-rfd-droppable-id]').count()).toBe(1);
  const resting = await itemBoxes(page);

  // A press on a card's drag handle that does not become a drag leaves the canvas as it was: the
  // insertion point (hidden during a drag) is still drawn after it.
  await page.locator('[data-step-header="s2"]').click();
  await expect(page.getByTestId('insertion-point')).toBeVisible();
  await page.locator('[data-step-header="s4"] [aria-label^="Drag"]').click();
  await expect(page.getByTestId('insertion-point')).toBeVisible();

  const from = (await item.boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 4; i++) await page.mouse.move(from.x + from.width / 2 + 2 * i, from.y + from.height / 2 + 2 * i);
  await expect(page.locator('body > [data-rfd-draggable-id]').filter({ hasText: 'Set run state' })).toHaveCount(1);
  // Over the Then pipe, before t3.
  const target = page.locator('[data-step-header="t3"]');
  for (let round = 0; round < 3; round++) {
    const box = (await target.boundingBox())!;
    await page.mouse.move(box.x + 40, box.y + Math.min(12, box.height / 2), { steps: 10 });
  }
  await expect(page.locator('[data-pipe-id="gate/then"]')).toHaveClass(/bg-accent-soft/);
  // The dragged item's button is out of the list (its clone follows the pointer) and a faded copy
  // holds its place (the list below says it where the button was); every other item is where it was.
  await expect(palette(page).locator('li > [aria-hidden]')).toHaveText('Set run state');
  expect(await palette(page).getByRole('button', { name: 'Set run state', exact: true }).count()).toBe(0);
  expect(await itemBoxes(page)).toEqual(resting);
  await page.screenshot({ path: `${SHOTS}/palette-drag-1440.png` });
  await page.mouse.up();

  await expect.poll(() => pipeOrder(page, 'gate/then').then((order) => order.length)).toBe(6);
  const order = await pipeOrder(page, 'gate/then');
  expect(order.filter((id) => !/^t\d$/.test(id!))).toHaveLength(1);
  expect(order.indexOf('t3')).toBe(3);
  expect(await itemBoxes(page)).toEqual(resting);
  // After a drop, a click on a card draws the insertion point again.
  await page.locator('[data-step-header="s1"]').click();
  await expect(page.getByTestId('insertion-point')).toBeVisible();
});
