/**
 * The designer page as bench/designer-open.ts drives it in Chromium: opening a workflow (cards in
 * the DOM, hydrated), a measured mouse drag of a step, and the cost of the drag library's lift
 * style switch with and without the designer's fence.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startProfile } from './drag-profile';

/**
 * Opens a workflow: navigation start → `cards` step cards in the DOM (ms), and → the last of
 * them hydrated (React's props on it: its handlers work). `query`: `?expand=all` for the old page.
 */
export async function openOnce(
  page: Page,
  base: string,
  key: string,
  cards: number,
  query = '',
): Promise<TOpenFigures> {
  await page.goto(`${base}/workflows/${key}${query}`, { waitUntil: 'commit' });
  // Arrow functions (tsx wraps named ones in __name(), which the page lacks); not strings, which
  // waitForFunction evaluates with eval, refused by the pages' CSP.
  await page.waitForFunction(
    (count) => {
      const drawn = document.querySelectorAll('[data-testid="step-card"]').length;
      const at = window as unknown as { __inDom?: number };
      if (drawn === count && at.__inDom === undefined) at.__inDom = performance.now();
      return drawn === count;
    },
    cards,
    { timeout: 60_000, polling: 'raf' },
  );
  await page.waitForFunction(
    () => {
      const drawn = document.querySelectorAll('[data-testid="step-card"]');
      const last = drawn[drawn.length - 1];
      return !!last && Object.keys(last).some((name) => name.startsWith('__reactProps'));
    },
    undefined,
    { timeout: 60_000, polling: 'raf' },
  );
  return page.evaluate<TOpenFigures>(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      inDom: window.__inDom,
      hydrated: performance.now(),
      firstByte: nav ? nav.responseStart : 0,
      htmlEnd: nav ? nav.responseEnd : 0,
      htmlKB: nav ? nav.decodedBodySize / 1024 : 0,
    };
  })()`);
}

/**
 * One open's phases (ms from navigation start, except sizes): the first byte of the HTML, its
 * last byte (the streamed page done), its size decoded, the drawn cards in the DOM, and hydrated.
 */
export type TOpenFigures = {
  inDom: number;
  hydrated: number;
  firstByte: number;
  htmlEnd: number;
  htmlKB: number;
};

/** A drag to measure: the step moved, the card it is dropped on, the pipe it must land in, the window. */
export type TDragCase = {
  key: string;
  cards: number;
  stepId: string;
  overId: string;
  pipeId: string;
  viewport: { width: number; height: number };
  /** `?expand=all`: the page as it was, every block open. */
  query?: string;
  /**
   * Blocks to open before the drag, in order: a click on each one's "collapsed: show" row when it
   * has one (a block opened by an earlier click, or open on this page already, is skipped; an
   * earlier build with another opening budget collapses other blocks). The drag's step and
   * target must be drawn after them (the drag waits for both).
   */
  open?: string[];
};
export type TDragCaseCss = TDragCase & {
  /** BENCH_DRAG_CSS: a stylesheet added to the page before the drag. */
  css?: string;
};

export type TDragFigures = {
  frames: number;
  meanGap: number;
  maxGap: number;
  dragMs: number;
  settleMs: number;
  profile: string[];
};

export async function measureDrag(page: Page, base: string, drag: TDragCaseCss): Promise<TDragFigures> {
  await page.setViewportSize(drag.viewport);
  await openOnce(page, base, drag.key, drag.cards, drag.query);
  for (const block of drag.open ?? []) {
    const row = page.locator(`[data-collapsed-row="${block}"]`);
    if ((await row.count()) > 0) await row.click();
  }
  // BENCH_DRAG_CSS: a stylesheet added to the page before the drag, to try a style change
  // without a build (what the trace blames, e.g. a transition) before making it in the code.
  if (drag.css) await page.addStyleTag({ content: drag.css });
  // Hydrated: the palette is filled from the registry fetched in the browser.
  await page
    .getByRole('complementary', { name: 'Step palette' })
    .getByRole('button', { name: 'Set run state' })
    .waitFor();
  // The check the page asks for once hydrated (use-live-check.ts) has answered: at 1,000 steps its
  // answer (and the badges it sets) otherwise lands in the middle of the drag measured.
  await page.getByText('Checking for problems…').waitFor({ state: 'detached', timeout: 60_000 });
  const handle = page.locator(`[data-step-header="${drag.stepId}"] [aria-label^="Drag"]`);
  const target = page.locator(`[data-step-header="${drag.overId}"]`);
  // The canvas at the top of the window, so the drag's start and target are both on screen
  // under the toolbars above it (the measure is the drag, not dnd's auto-scroll).
  await page.evaluate(() => document.querySelector('[data-pipe-id="root"]')?.scrollIntoView({ block: 'start' }));
  await target.waitFor();
  const from = (await handle.boundingBox())!;
  const to = (await target.boundingBox())!;
  if (to.y + to.height > drag.viewport.height) {
    await page.screenshot({ path: path.join(tmpdir(), `designer-bench-${drag.key}.png`) });
    throw new Error(`${drag.overId} is off screen: the measure is the drag, not dnd's auto-scroll`);
  }
  // A string, not a function: tsx wraps named functions in __name(), which the page lacks.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    const tick = (t) => {
      window.__frames.push(t);
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const profile = process.env.BENCH_PROFILE
    ? await startProfile(
        page,
        process.env.BENCH_PROFILE.endsWith('.json')
          ? process.env.BENCH_PROFILE.replace(
              /\.json$/,
              `-${drag.key}-${new URL(base).port}${drag.css ? '-css' : ''}.json`,
            )
          : undefined,
      )
    : null;
  const start = Date.now();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  // Small first moves, as a hand makes them, so the library starts the drag before it travels.
  for (let i = 1; i <= 4; i++) await page.mouse.move(from.x + from.width / 2 + 2 * i, from.y + from.height / 2 + 2 * i);
  const steps = 30;
  for (let i = 1; i <= steps; i++)
    await page.mouse.move(from.x + from.width / 2, from.y + ((to.y + to.height / 2 - from.y) * i) / steps);
  // The cards close up where the step left, so the target moves: follow it, as a hand does
  // (the drop lands in the pipe under the pointer).
  let at = { x: from.x + from.width / 2, y: to.y + to.height / 2 };
  for (let round = 0; round < 4; round++) {
    const box = await target.boundingBox();
    if (!box) break; // mid-animation the card can be briefly unmeasurable; drop where the pointer is
    const aim = { x: box.x + Math.min(40, box.width / 2), y: box.y + Math.min(box.height / 2, 12) };
    if (Math.abs(aim.x - at.x) < 2 && Math.abs(aim.y - at.y) < 2) break;
    for (let i = 1; i <= 5; i++)
      await page.mouse.move(at.x + ((aim.x - at.x) * i) / 5, at.y + ((aim.y - at.y) * i) / 5);
    at = aim;
  }
  const dragMs = Date.now() - start;
  // BENCH_DRAG_SHOT=dir: a screenshot just before the drop, to look at the page mid-drag (it
  // costs frames: not for a measured run).
  if (process.env.BENCH_DRAG_SHOT)
    await page.screenshot({ path: path.join(process.env.BENCH_DRAG_SHOT, `drag-${drag.key}.png`) });
  const up = Date.now();
  await page.mouse.up();
  await page.waitForFunction(
    ({ stepId, pipeId }) =>
      document.querySelector(`[data-step-id="${stepId}"]`)?.closest('[data-pipe-id]')?.getAttribute('data-pipe-id') ===
      pipeId,
    drag,
    { timeout: 10_000 },
  );
  const settleMs = Date.now() - up;
  const frames = await page.evaluate<number[]>(`(() => {
    window.__stop = true;
    return window.__frames;
  })()`);
  const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
  return {
    profile: (await profile?.stop()) ?? [],
    frames: frames.length,
    meanGap: gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length),
    maxGap: Math.max(...gaps),
    dragMs,
    settleMs,
  };
}

/**
 * What the lift's style switch costs the browser, with the designer's fence (drag-style-fence.tsx)
 * and without it (its style element disabled), alternating in one page so a busy machine weighs on both alike: the library's
 * dynamic style element gets the text it sets at a lift, and a layout read makes the browser
 * restyle what that changed (median of 15 each, ms).
 */
export async function measureLiftRestyle(
  page: Page,
  base: string,
  key: string,
  cards: number,
): Promise<{ fenced: number; unfenced: number }> {
  await openOnce(page, base, key, cards);
  // The library adds its style elements when it mounts in the browser, after the cards are drawn.
  await page.waitForSelector('style[data-rfd-dynamic]', { state: 'attached' });
  return page.evaluate(`(() => {
    const dynamic = document.querySelector('style[data-rfd-dynamic]');
    const fence = document.querySelector('style[data-drag-style-fence]');
    if (!dynamic || !fence) throw new Error('no drag style element or fence on the page');
    const resting = dynamic.textContent;
    const contextId = dynamic.getAttribute('data-rfd-dynamic');
    const dragging = '[data-rfd-draggable-context-id="' + contextId + '"] { transition: transform 0.2s cubic-bezier(0.2, 0, 0, 1); } ' +
      '[data-rfd-drag-handle-context-id="' + contextId + '"] { pointer-events: none; } ' +
      'body { cursor: grabbing; user-select: none; -webkit-user-select: none; overflow-anchor: none; }';
    const once = () => {
      void document.documentElement.offsetWidth;
      const start = performance.now();
      dynamic.textContent = dragging;
      void document.documentElement.offsetWidth;
      const took = performance.now() - start;
      dynamic.textContent = resting;
      void document.documentElement.offsetWidth;
      return took;
    };
    const fenced = [], unfenced = [];
    for (let i = 0; i < 15; i++) {
      fence.disabled = false;
      fenced.push(once());
      fence.disabled = true;
      unfenced.push(once());
    }
    fence.disabled = false;
    const median = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
    return { fenced: median(fenced), unfenced: median(unfenced) };
  })()`);
}
