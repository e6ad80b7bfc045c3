/**
 * `node --conditions=react-server --import tsx bench/designer-open.ts`: how the designer copes with a big workflow.
 * Starts the app the way the e2e config does (scripts/start.ts: embedded PostgreSQL in a
 * fresh temp dir, the production build, built first when stale), imports a 300-step
 * definition nested 5 levels deep, and drives /usr/bin/chromium with Playwright:
 *   1. open (median and max of BENCH_N loads), for the 300-step and a 1,000-step definition beside
 *      a 10-step one. Big workflows open with deep blocks collapsed and long pipes drawn in part
 *      (components/designer/canvas/collapse-plan.ts, pipe-window.ts), so "every card in the DOM"
 *      no longer means a usable page. The figure is: navigation start → the cards the designer
 *      draws are in the DOM and hydrated (the last one has React's handlers), plus the one action
 *      that brings the deepest step on screen (a click on the collapsed row of the outermost
 *      block that hides it → its card drawn and painted). Beside it, the old measure on the page
 *      as it was (`?expand=all`: every block open): navigation start → every card in the DOM
 *      (server-rendered HTML, before hydration), and → hydrated;
 *   2. drag: mouse drags of a step into a pipe further down (30 pointer moves, then following
 *      the target as the cards close up), counting animation frames while it moves: frames,
 *      mean and longest frame gap, and the time from mouse-up until the moved card is in its
 *      new place. The baseline, in the same run, is the same drag in a 10-step workflow; the
 *      300-step one is dragged in a laptop-sized window and in a tall one (a long drag across groups),
 *      and the 1,000-step one in the laptop-sized window (after opening the collapsed block it
 *      drops into); the 300- and 1,000-step laptop drags again with every block open (`?expand=all`).
 *   3. the lift's style switch: the browser's restyle when the drag library sets its drag styles,
 *      with the designer's fence (drag-style-fence.tsx) and without it, alternating in one page.
 * BENCH_BEFORE_ROOT=/path: a built checkout of an earlier commit (its own node_modules, or a hard-linked copy of these:
 * `cp -al`; Turbopack refuses a symlinked node_modules from outside the checkout) served
 * beside this tree on BENCH_PORT+1; opens alternate between the two, and each drag is measured on both.
 * BENCH_DRAG_N=3 measures each drag 3 times (on copies of its workflow, alternating with the before build) and prints medians.
 * BENCH_LIFT_ONLY=1 measures only 3, BENCH_ONLY=open only 1, BENCH_ONLY=drag only 2. Set BENCH_PORT (default 3290) when that port is taken;
 * BENCH_PROFILE=1 also prints where the browser spent the drag (JS self time per function, style/layout/paint, longest tasks), and
 * BENCH_PROFILE=/path/trace.json writes the raw trace there too (for Perfetto).
 * `npm run bench` runs it after the HTTP sections (BENCH_SKIP_DESIGNER=1 leaves it out) and adds
 * its figures to the JSON results under `designer`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { importDefinition, signedInPage, startDesignerApp, type TDesignerApp } from './lib/designer-app';
import { measureLiftRestyle, openOnce, type TOpenFigures } from './lib/designer-page';
import { designerDragCases, measureDrags, repeatSuffix, type TDragResults, type TDragRun } from './lib/designer-drags';
import { nestedDefinition, smallDefinition } from './lib/nested-definition';
import { initialCollapsed, shownCardCount } from '@/components/designer/canvas/collapse-plan';
import type { TStep } from '@/model/definition/step';
import { findStepTrail, nestedPipes } from '@/model/designer/step-tree';

const PORT = Number(process.env.BENCH_PORT ?? 3290);
const PLAN_MODULE = 'components/designer/canvas/collapse-plan.ts';
type TPlanModule = { initialCollapsed: TPlanner };
const N = Number(process.env.BENCH_N ?? 5);
/** How many times each drag is measured (on copies of its workflow: a drag moves a step and saves). */
const DRAG_N = Number(process.env.BENCH_DRAG_N ?? 1);
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const BASE = `http://localhost:${PORT}`;

type TBenchDefinition = ReturnType<typeof nestedDefinition>;

/** What the designer draws of a definition on opening: how many cards, and how to bring its deepest step on screen. */
type TOpenPlan = {
  key: string;
  /** Cards drawn on opening (collapse-plan.ts), and with every block open. */
  drawn: number;
  all: number;
  /** The deepest step, and the collapsed block whose row opens the way to it (null: already drawn). */
  deepest: string;
  opener: string | null;
};

/** How a build decides what opens collapsed (components/designer/canvas/collapse-plan.ts of this tree or of BENCH_BEFORE_ROOT's). */
type TPlanner = (steps: readonly TStep[]) => Set<string>;

function openPlan(definition: TBenchDefinition, planner: TPlanner = initialCollapsed): TOpenPlan {
  const steps = definition.steps as unknown as TStep[];
  const collapsed = planner(steps);
  let deepest = { id: steps[0]!.id, depth: 0 };
  const walk = (pipe: readonly TStep[], depth: number) => {
    for (const step of pipe) {
      if (depth > deepest.depth) deepest = { id: step.id, depth };
      for (const nested of nestedPipes(step)) walk(nested.steps, depth + 1);
    }
  };
  walk(steps, 0);
  const opener =
    findStepTrail(steps, deepest.id)?.ancestors.find((ancestor) => collapsed.has(ancestor.step.id))?.step.id ?? null;
  return {
    key: definition.key,
    drawn: shownCardCount(steps, collapsed),
    all: shownCardCount(steps, new Set()),
    deepest: deepest.id,
    opener,
  };
}

/** The one action that brings the deepest step on screen: a click on its collapsed block's row → its card drawn and painted (ms). */
async function revealDeepest(page: Page, plan: TOpenPlan): Promise<number> {
  if (!plan.opener) return 0;
  return page.evaluate<number>(`new Promise((resolve) => {
    const row = document.querySelector('[data-collapsed-row="${plan.opener}"]');
    if (!row) throw new Error('no collapsed row for ${plan.opener}');
    const start = performance.now();
    row.click();
    const check = () => {
      if (document.querySelector('[data-step-header="${plan.deepest}"]')) requestAnimationFrame(() => resolve(performance.now() - start));
      else requestAnimationFrame(check);
    };
    check();
  })`);
}

/**
 * Waits for the check an opened page asks for once hydrated (use-live-check.ts) to answer, so
 * the next open measured does not share the 2 cores with it: the before build's page went on
 * checking (in the browser and on its server, 0.5-1 s of CPU at 1,000 steps) while this build's
 * page opened, and every figure of the side measured second was the worse for it.
 */
async function checkAnswered(page: Page): Promise<void> {
  await page.getByText('Checking for problems…').waitFor({ state: 'detached', timeout: 60_000 });
}

/** The figures, for the JSON results of `npm run bench` (ms). */
export type TDesignerResults = {
  open: Record<
    string,
    {
      drawnCards: number;
      allCards: number;
      hydratedMs: number;
      revealDeepestMs: number;
      oldInDomMs: number;
      oldHydratedMs: number;
    }
  >;
  drag: TDragResults;
  liftStyleSwitch: Record<string, { fencedMs: number; unfencedMs: number }>;
};

/** Runs the designer bench (see the top of this file) and returns its figures. */
export async function designerBenchmarks(): Promise<TDesignerResults> {
  const results: TDesignerResults = { open: {}, drag: {}, liftStyleSwitch: {} };
  console.log('\nDesigner: opening and dragging in a 10-, 300- and 1,000-step workflow (Chromium, 1440×900)');
  const app = await startDesignerApp(process.cwd(), PORT);
  let before: TDesignerApp | null = null;
  let browser: Browser | null = null;
  try {
    // BENCH_BEFORE_ROOT: a checkout of the code before a change, built, served beside this one; the
    // opens alternate between the two so a busy machine weighs on both alike.
    if (process.env.BENCH_BEFORE_ROOT) before = await startDesignerApp(process.env.BENCH_BEFORE_ROOT, PORT + 1);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
    });
    const key = `bench-${Date.now().toString(36)}`;
    // Each drag gets a workflow of its own: a drag moves a step, and the draft is saved (the opens
    // and the lift measure `key` and `${key}-1000` as imported: what opens collapsed depends on it).
    const big = { groups: 33, tail: 10 }; // 1,000 steps
    // BENCH_BEFORE_ROOT's build may open other blocks (another OPEN_CARD_BUDGET): its pages are
    // waited for and measured with its own collapse-plan.ts.
    const beforePlanner: TPlanner | null = process.env.BENCH_BEFORE_ROOT
      ? ((await import(pathToFileURL(path.join(process.env.BENCH_BEFORE_ROOT, PLAN_MODULE)).href)) as TPlanModule)
          .initialCollapsed
      : null;
    const plansOf = (planner: TPlanner = initialCollapsed) => ({
      small: openPlan(smallDefinition(`${key}-small`) as TBenchDefinition, planner),
      mid: openPlan(nestedDefinition(key), planner),
      big: openPlan(nestedDefinition(`${key}-1000`, big), planner),
    });
    const plans = plansOf();
    const beforePlans = beforePlanner ? plansOf(beforePlanner) : plans;
    // BENCH_DRAG_N > 1: each drag again on a copy of its workflow (`<key>-r<n>`), for medians.
    const copies = (suffix: string) => Array.from({ length: DRAG_N }, (_, r) => `${key}${suffix}${repeatSuffix(r)}`);
    for (const definition of [
      nestedDefinition(key),
      ...copies('-drag').map((copy) => nestedDefinition(copy)),
      ...copies('-tall').map((copy) => nestedDefinition(copy)),
      nestedDefinition(`${key}-1000`, big),
      ...copies('-1000-drag').map((copy) => nestedDefinition(copy, big)),
      ...copies('-old').map((copy) => nestedDefinition(copy)),
      ...copies('-1000-old').map((copy) => nestedDefinition(copy, big)),
      ...copies('-small').map((copy) => smallDefinition(copy)),
    ]) {
      for (const base of before ? [BASE, before.base] : [BASE]) await importDefinition(base, definition);
    }
    const page = await signedInPage(browser, BASE);
    const beforePage = before ? await signedInPage(browser, before.base) : null;
    // The old measure (every block open) in a tab of its own: in `page` its teardown, every card
    // of the workflow, fell in the next open of this tree's page and in no open of BENCH_BEFORE_ROOT's.
    const oldPage = await signedInPage(browser, BASE);
    const drags = designerDragCases(key, plans);
    const beforeDrags = designerDragCases(key, beforePlans);
    // BENCH_LIFT_ONLY=1: only the lift's style switch (a minute, where the drags and opens take several).
    const dragRuns = drags.flatMap(([label, drag], i): TDragRun[] => [
      ...(beforePage && before && !drag.query
        ? [[`before: ${label}`, beforeDrags[i]![1], beforePage, before.base] as TDragRun]
        : []),
      [label, drag, page, BASE],
    ]);
    // BENCH_DRAG_CASES=3: only the first three drags (the baseline, 300 and 1,000 steps).
    if (process.env.BENCH_DRAG_CASES) dragRuns.splice(Number(process.env.BENCH_DRAG_CASES) * (beforePage ? 2 : 1));
    const rounds = process.env.BENCH_LIFT_ONLY || process.env.BENCH_ONLY === 'open' ? 0 : DRAG_N;
    results.drag = await measureDrags(dragRuns, rounds);
    for (const [label, workflow, cards] of [
      ['baseline: 10 steps  ', `${key}-small`, plans.small.drawn],
      ['300 steps / 5 levels', key, plans.mid.drawn],
      ['1,000 steps         ', `${key}-1000`, plans.big.drawn],
    ] as const) {
      if (process.env.BENCH_ONLY) break;
      const lift = await measureLiftRestyle(page, BASE, workflow, cards);
      console.log(
        `drag lift's style switch, ${label}  fenced=${lift.fenced.toFixed(1)} ms  unfenced=${lift.unfenced.toFixed(1)} ms  (median of 15 each, alternating; ${cards} cards drawn)`,
      );
      results.liftStyleSwitch[label.trim()] = {
        fencedMs: Number(lift.fenced.toFixed(1)),
        unfencedMs: Number(lift.unfenced.toFixed(1)),
      };
    }
    // After the drags: opening the 1,000-step workflow first left the 10-step page laid out taller.
    const max = (list: number[]) => Math.max(...list);
    const opens: Array<[string, TOpenPlan, TOpenPlan]> = [
      ['baseline: 10 steps  ', plans.small, beforePlans.small],
      ['300 steps / 5 levels', plans.mid, beforePlans.mid],
      ['1,000 steps         ', plans.big, beforePlans.big],
    ];
    for (const [label, plan, beforePlan] of process.env.BENCH_LIFT_ONLY || process.env.BENCH_ONLY === 'drag'
      ? []
      : opens) {
      await openOnce(page, BASE, plan.key, plan.drawn); // warm-up: compiles nothing (production build) but fills the HTTP caches
      if (beforePage && before) await openOnce(beforePage, before.base, beforePlan.key, beforePlan.drawn);
      const hydrated: number[] = [];
      const phases: TOpenFigures[] = [];
      const reveal: number[] = [];
      const oldInDom: number[] = [];
      const oldHydrated: number[] = [];
      const beforeTotal: number[] = [];
      const beforePhases: TOpenFigures[] = [];
      for (let i = 0; i < N; i++) {
        if (beforePage && before) {
          const opened = await openOnce(beforePage, before.base, beforePlan.key, beforePlan.drawn);
          beforePhases.push(opened);
          beforeTotal.push(opened.hydrated + (await revealDeepest(beforePage, beforePlan)));
          await checkAnswered(beforePage);
        }
        const opened = await openOnce(page, BASE, plan.key, plan.drawn);
        hydrated.push(opened.hydrated);
        phases.push(opened);
        reveal.push(await revealDeepest(page, plan));
        await checkAnswered(page);
        const old = await openOnce(oldPage, BASE, plan.key, plan.all, '?expand=all');
        oldInDom.push(old.inDom);
        oldHydrated.push(old.hydrated);
        await checkAnswered(oldPage);
      }
      const total = hydrated.map((ms, i) => ms + reveal[i]!);
      console.log(
        `designer open, ${label} n=${N}  median=${median(total).toFixed(0)} ms  max=${max(total).toFixed(0)} ms  (navigation start → ${plan.drawn} of ${plan.all} cards drawn and hydrated, median ${median(hydrated).toFixed(0)} ms, + one click to the deepest step ${plan.deepest}, median ${median(reveal).toFixed(0)} ms)`,
      );
      const phaseLine = (list: TOpenFigures[]) => {
        const phase = (pick: (figures: TOpenFigures) => number) => median(list.map(pick)).toFixed(0);
        return `HTML first byte ${phase((f) => f.firstByte)}, last byte ${phase((f) => f.htmlEnd)} (${phase((f) => f.htmlKB)} kB), cards in the DOM ${phase((f) => f.inDom)}, hydrated ${phase((f) => f.hydrated)}`;
      };
      console.log(`  phases (medians, ms from navigation start): ${phaseLine(phases)}`);
      if (beforeTotal.length > 0) {
        console.log(
          `  before (BENCH_BEFORE_ROOT, alternating): median=${median(beforeTotal).toFixed(0)} ms  max=${max(beforeTotal).toFixed(0)} ms  (${beforePlan.drawn} cards drawn); ${phaseLine(beforePhases)}`,
        );
      }
      console.log(
        `  old measure, every block open (?expand=all): every card in the DOM median=${median(oldInDom).toFixed(0)} ms max=${max(oldInDom).toFixed(0)} ms; hydrated median=${median(oldHydrated).toFixed(0)} ms max=${max(oldHydrated).toFixed(0)} ms`,
      );
      results.open[label.trim()] = {
        drawnCards: plan.drawn,
        allCards: plan.all,
        hydratedMs: Math.round(median(hydrated)),
        revealDeepestMs: Math.round(median(reveal)),
        oldInDomMs: Math.round(median(oldInDom)),
        oldHydratedMs: Math.round(median(oldHydrated)),
      };
    }
  } finally {
    await browser?.close();
    await app.stop();
    await before?.stop();
  }
  return results;
}

/** Adds the designer's figures to the JSON results file `npm run bench` writes (bench/http.ts starts it). */
export function writeDesignerResults(results: TDesignerResults): string {
  const out = path.resolve(process.env.BENCH_RESULTS ?? 'bench/results/latest.json');
  mkdirSync(path.dirname(out), { recursive: true });
  const existing: Record<string, unknown> = existsSync(out)
    ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>)
    : { at: new Date().toISOString() };
  writeFileSync(out, `${JSON.stringify({ ...existing, designer: results }, null, 2)}\n`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  designerBenchmarks().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
