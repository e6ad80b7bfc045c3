/**
 * `node --conditions=react-server --import tsx bench/check-definition.ts`: a workflow's problem
 * check (validateDefinition: the version page, the designer's live check, publish and import)
 * on the designer bench's workflows of 10, 300 and 1,000 steps and the varied ones of 300 and
 * 1,000 (bench/lib/check-workloads.ts), the check of git revision BENCH_CHECK_BEFORE (default
 * `main`) beside the sources as they are, both bundled the same way and alternated check by
 * check in one process, so a loaded machine weighs on both alike. Three cases each:
 *   - first check: every cache emptied (the first look at a workflow after a restart);
 *   - re-check: the same document again (the version page opened again, a check after an edit
 *     elsewhere in the app);
 *   - after an edit: one expression changed since the last check (the designer's live check).
 * Prints the median of BENCH_N checks (default 7) in wall ms and CPU ms, and whether both give the
 * same problems; BENCH_JSON=path writes the figures.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { bundleCheckOfRev, bundleCurrentCheck, type TCheckModule } from '@/bench/lib/check-bundle';
import { checkWorkloads } from '@/bench/lib/check-workloads';
import { figureRow } from '@/bench/lib/stats';
import type { TWorkflowResolver } from '@/server/workflows/validation/workflow-resolver';

const N = Number(process.env.BENCH_N ?? 7);
const CASES = ['first check', 're-check', 'after an edit'] as const;
type TCase = (typeof CASES)[number];
type TTiming = { ms: number; cpuMs: number };
export type TCheckFigure = { workload: string; steps: number; case: TCase; before: TTiming; now: TTiming };

/** No other workflows: the bench definitions call none, so the check asks nothing of the database. */
const resolver: TWorkflowResolver = { publishedVersions: async () => null, calleesOf: async () => [] };

/** Every `{ "$expr": … }` of a document, to edit one in place. */
function expressionsOf(value: unknown, found: Array<{ $expr: string }> = []): Array<{ $expr: string }> {
  if (Array.isArray(value)) for (const item of value) expressionsOf(item, found);
  else if (typeof value === 'object' && value !== null) {
    if (typeof (value as { $expr?: unknown }).$expr === 'string') found.push(value as { $expr: string });
    else for (const item of Object.values(value)) expressionsOf(item, found);
  }
  return found;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timeCheck(check: TCheckModule, document: unknown): Promise<TTiming & { problems: string }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const { problems } = await check.validateDefinition({ document, resolver });
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, problems: JSON.stringify(problems) };
}

/** The figures of one workload: each case, before and now alternated N times. */
async function measureWorkload(
  modules: Record<'before' | 'now', TCheckModule>,
  document: Record<string, unknown>,
): Promise<{ figures: Array<{ case: TCase; before: TTiming; now: TTiming }>; same: boolean }> {
  // An edit that changes the source and nothing else: a JSONata comment.
  const edited = expressionsOf(document).at(-1)!;
  const original = edited.$expr;
  let edits = 0;
  let same = true;
  // Warm up both (JIT, the registries' schemas) before timing.
  for (const check of Object.values(modules)) await check.validateDefinition({ document, resolver });
  const figures = [];
  for (const kind of CASES) {
    const samples: Record<'before' | 'now', TTiming[]> = { before: [], now: [] };
    const problems: Record<'before' | 'now', string> = { before: '', now: '' };
    for (let round = 0; round < N; round++) {
      for (const side of ['before', 'now'] as const) {
        if (kind === 'first check') modules[side].clearCheckCaches();
        if (kind === 'after an edit') edited.$expr = `${original} /* edit ${++edits} */`;
        const timing = await timeCheck(modules[side], document);
        samples[side].push(timing);
        problems[side] = timing.problems;
      }
      if (problems.before !== problems.now) same = false;
    }
    edited.$expr = original;
    const summary = (list: TTiming[]) => ({
      ms: median(list.map((t) => t.ms)),
      cpuMs: median(list.map((t) => t.cpuMs)),
    });
    figures.push({ case: kind, before: summary(samples.before), now: summary(samples.now) });
  }
  return { figures, same };
}

/** The check's figures, before beside now (part of `npm run bench`). */
export async function checkDefinitionBenchmarks(): Promise<TCheckFigure[]> {
  const rev = process.env.BENCH_CHECK_BEFORE ?? 'main';
  const modules = { before: await bundleCheckOfRev(rev), now: await bundleCurrentCheck() };
  console.log(
    `\nProblem check of a workflow (validateDefinition), median of ${N}: ${rev} → now, wall ms (CPU ms); alternated check by check`,
  );
  const out: TCheckFigure[] = [];
  let allSame = true;
  for (const { name, steps, document } of checkWorkloads()) {
    const { figures, same } = await measureWorkload(modules, document);
    allSame &&= same;
    for (const figure of figures) {
      out.push({ workload: name, steps, ...figure });
      const show = (t: TTiming) => `${t.ms.toFixed(1)} (${t.cpuMs.toFixed(1)})`;
      console.log(figureRow(`${name}, ${figure.case}`, `${show(figure.before)} → ${show(figure.now)} ms`.padStart(34)));
    }
    if (!same) console.log(`  ${name}: the two checks reported DIFFERENT problems`);
  }
  if (!allSame) process.exitCode = 1;
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  checkDefinitionBenchmarks()
    .then((figures) => {
      if (process.env.BENCH_JSON)
        writeFileSync(process.env.BENCH_JSON, `${JSON.stringify({ checkDefinition: figures }, null, 2)}\n`);
      process.exit();
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
