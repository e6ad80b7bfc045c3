/**
 * Replay's cost (SPEC §9): 50 recorded runs of a 20-step workflow replayed against a draft in
 * one call, beside the baseline of the same 50 runs executed for real in the same process
 * (claim, interpret, commit: what a worker does). Run alone with
 * `DATABASE_URL=… node --conditions=react-server --import tsx bench/replay.ts`; `npm run bench` prints it as section 8.
 */
import { createDb, setDb } from '@/server/db/database';
import { migrateToLatest } from '@/server/db/migrate';
import { closeCodePool } from '@/server/runtime/code/code-pool';
import { startRun } from '@/server/runtime/start-run';
import { replayVersion } from '@/server/workflows/replay-version';
import { saveDraft } from '@/server/workflows/save-draft';
import { createTenantWithMember } from '@/test/fixtures';
import { driveRun, publishWorkflow } from '@/test/runtime';
import { figureRow, latencyRow, percentiles } from '@/bench/lib/stats';

const RUNS = 50;

/** 20 top-level steps: assignments, pure action calls, a branch, a log and a code step. */
function twentySteps(factor: number) {
  return Array.from({ length: 20 }, (_, i) => {
    if (i === 10)
      return {
        id: `branch${i}`,
        type: 'control.if',
        config: {
          condition: { $expr: 'payload.i % 2 = 0' },
          then: [{ id: `even${i}`, type: 'transform.assign', config: { assign: { 'vars.even': true } } }],
        },
      };
    if (i === 15) return { id: `log${i}`, type: 'log', config: { message: { $template: 'run {{ payload.i }}' } } };
    if (i === 18)
      return {
        id: `code${i}`,
        type: 'code.js',
        config: { source: 'return Object.keys(input.vars).length', saveAs: 'vars.count' },
      };
    if (i % 3 === 1)
      return {
        id: `echo${i}`,
        type: 'action.call',
        config: { action: 'core.echo', version: 1, input: { i: { $expr: 'payload.i' } }, saveAs: `vars.e${i}` },
      };
    return {
      id: `add${i}`,
      type: 'transform.assign',
      config: { assign: { [`vars.n${i}`]: { $expr: `payload.i * ${factor} + ${i}` } } },
    };
  });
}

export async function replayBenchmarks({ url }: { url: string }): Promise<Record<string, unknown>> {
  process.env.DATABASE_URL = url;
  const { db } = createDb(url, { max: 4 });
  setDb(db);
  await migrateToLatest({ db });
  const { ctx } = await createTenantWithMember({ db, role: 'editor' });
  await publishWorkflow({ db, ctx, key: 'bench-replay', document: { steps: twentySteps(2) } });
  const runIds: string[] = [];
  const started = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'bench-replay',
      input: { i },
      trigger: { type: 'api' },
    });
    await driveRun({ db, runId });
    runIds.push(runId);
  }
  const realMs = performance.now() - started;
  await saveDraft({
    db,
    ctx,
    input: {
      key: 'bench-replay',
      document: { key: 'bench-replay', name: 'bench-replay', steps: twentySteps(3) } as never,
    },
  });
  // Warm-up: the code threads, caches.
  await replayVersion({ db, ctx, input: { key: 'bench-replay', version: 2, body: { runIds: runIds.slice(0, 5) } } });
  const samples: number[] = [];
  let changed = 0;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    const result = await replayVersion({ db, ctx, input: { key: 'bench-replay', version: 2, body: { runIds } } });
    samples.push(performance.now() - t0);
    changed = result.runs.filter((run) => run.steps.some((step) => step.changes.length > 0)).length;
  }
  const stats = percentiles(samples);
  console.log(`\n8. Replay: ${RUNS} recorded runs of a 20-step workflow against a draft, one call (5 calls)`);
  console.log(figureRow('baseline: the same 50 runs executed for real', `${realMs.toFixed(0)} ms`));
  console.log(latencyRow('replayVersion, 50 runs per call', stats));
  console.log(figureRow('per replayed run (p50 / 50)', `${(stats.p50 / RUNS).toFixed(1)} ms`));
  console.log(figureRow('runs whose replay differs (expected 50)', String(changed)));
  await closeCodePool();
  await db.destroy();
  return { realMs, replayCall: stats, changed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('Set DATABASE_URL, or run npm run bench');
  replayBenchmarks({ url }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
