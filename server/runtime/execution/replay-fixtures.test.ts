import { execSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/server/db/database';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { EXECUTION_FORMAT_VERSION } from '@/server/runtime/execution/execution-state';
import {
  dumpRunRows,
  loadReplayFixture,
  playScript,
  ZReplayFixture,
  type TReplayFixture,
} from '@/server/runtime/execution/replay-fixtures/replay-fixture';
import { REPLAY_RECIPES, type TReplayRecipe } from '@/server/runtime/execution/replay-fixtures/replay-recipes';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import { advanceRun } from '@/server/runtime/advance-run';
import { LeaseKeeper } from '@/server/runtime/run-store/lease-keeper';

// Runs suspended mid-way as earlier versions of the interpreter saved them must resume on
// today's code (see ARCHITECTURE.md, Runtime: "Execution format"). To add a fixture, add a
// recipe to replay-recipes.ts and run this file with RECORD_REPLAY_FIXTURES=<recipe name>: the
// run is recorded by the code checked out and written to replay-fixtures/v<format>-<name>.json.
const DIR = path.join(import.meta.dirname, 'replay-fixtures');
const saved = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({
    name: file.replace(/\.json$/, ''),
    fixture: ZReplayFixture.parse(JSON.parse(readFileSync(path.join(DIR, file), 'utf8'))),
  }));

let t: TTestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('replay');
  process.env.DATABASE_URL = t.url;
  // retry-backoff-wait calls a closed local port: refused at once, a retryable network error.
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1';
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

async function checkEnding(db: Db, runId: string, want: TReplayFixture['expect']): Promise<void> {
  const run = await db
    .selectFrom('runs')
    .select(['status', 'output', 'error'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  expect({ status: run.status, error: run.error }).toMatchObject({
    status: want.status,
    ...(want.error ? { error: want.error } : {}),
  });
  if ('output' in want) expect(run.output).toEqual(want.output);
  const steps = await db
    .selectFrom('run_steps')
    .select(['step_id', 'path', 'status'])
    .where('run_id', '=', runId)
    .execute();
  const counts: Record<string, Record<string, number>> = {};
  for (const s of steps) (counts[s.step_id] ??= {})[s.status] = (counts[s.step_id]?.[s.status] ?? 0) + 1;
  expect(counts).toEqual(want.stepCounts);
  const succeeded = steps.filter((s) => s.status === 'SUCCEEDED').map((s) => s.path);
  expect(succeeded.length, 'one SUCCEEDED record per step path').toBe(new Set(succeeded).size);
  const seqs = (
    await db.selectFrom('run_events').select('seq').where('run_id', '=', runId).orderBy('seq').execute()
  ).map((e) => e.seq);
  expect(seqs, 'a gap-free event log across the versions').toEqual(seqs.map((_, i) => i + 1));
}

/** Runs a recipe up to its saved point on the code checked out and returns it as a fixture. */
async function record(recipe: TReplayRecipe): Promise<TReplayFixture> {
  const { ctx, tenantId, email } = await createTenantWithMember({ db: t.db, role: 'admin' });
  const keys = Object.keys(recipe.workflows);
  for (const key of [...keys].reverse())
    await publishWorkflow({
      db: t.db,
      ctx,
      key,
      document: recipe.workflows[key] as Parameters<typeof publishWorkflow>[0]['document'],
    });
  const { runId } = await startRun({ tenantId, workflowKey: keys[0]!, input: recipe.input, trigger: { type: 'api' } });
  if (recipe.onePass)
    await advanceRun({
      db: t.db,
      runId,
      workerId: 'replay-recorder',
      leases: new LeaseKeeper(t.db, 'replay-recorder', () => {}),
    });
  else await playScript({ db: t.db, runId, tenantId, email, script: recipe.before });
  const rows = await dumpRunRows({ db: t.db, runId });
  expect(rows.runs.map((run) => run.status)).toEqual(rows.runs.map(() => 'WAITING'));
  // The recorded run makes way for its copy, which keeps its ids.
  const runIds = rows.runs.map((run) => String(run.id));
  await t.db.deleteFrom('action_invocations').where('run_id', 'in', runIds).execute();
  for (const id of [...runIds].reverse()) await t.db.deleteFrom('runs').where('id', '=', id).execute();
  const commit = execSync('git rev-parse --short HEAD', { cwd: import.meta.dirname })
    .toString()
    .trim();
  return {
    description: recipe.description,
    recordedWith: { commit, formatVersion: EXECUTION_FORMAT_VERSION },
    workflows: recipe.workflows,
    rows,
    script: recipe.after,
    expect: recipe.expect,
  };
}

async function replay(fixture: TReplayFixture): Promise<void> {
  const { runId, tenantId, email } = await loadReplayFixture({ db: t.db, fixture });
  await playScript({ db: t.db, runId, tenantId, email, script: fixture.script });
  await checkEnding(t.db, runId, fixture.expect);
}

describe('executions saved by earlier versions resume on this one', () => {
  it('keeps a fixture of each kind of suspended run', () => {
    expect(saved.length).toBeGreaterThanOrEqual(REPLAY_RECIPES.length);
  });
  it.each(saved)('$name', async ({ fixture }) => replay(fixture));
});

describe('executions saved by this version resume', () => {
  it.each(REPLAY_RECIPES)('$name', async (recipe) => {
    const fixture = await record(recipe);
    if (process.env.RECORD_REPLAY_FIXTURES?.split(',').includes(recipe.name)) {
      writeFileSync(
        path.join(DIR, `v${fixture.recordedWith.formatVersion}-${recipe.name}.json`),
        `${JSON.stringify(fixture, null, 2)}\n`,
      );
    }
    await replay(fixture);
  });
});
