import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/server/db/database';
import { isTerminal } from '@/model/run-status';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { ZFixture, type TFixtureExpect } from '@/test/runtime-fixtures/fixture-format';
import { compareStepPaths, runFixture, type TFixtureRun } from '@/test/runtime-fixtures/run-fixture';

// The interpreter's behaviour, one JSON fixture per node type and behaviour (STYLE: definition
// in, expected run status, steps, output and events out). See fixture-format.ts for the format.
const CASES = path.join(import.meta.dirname, 'cases');
const fixtures = readdirSync(CASES)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({
    name: file.replace(/\.json$/, ''),
    fixture: ZFixture.parse(JSON.parse(readFileSync(path.join(CASES, file), 'utf8'))),
  }));

let t: TTestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('fixtures');
  process.env.DATABASE_URL = t.url; // the run queue (pg-boss) lives in the same database
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

/**
 * Holds for every run, whatever the fixture: a gap-free event log, one success per step path,
 * every started step ended once the run has, and no secret value stored anywhere.
 */
async function assertInvariants(db: Db, runId: string, secrets: string[]): Promise<void> {
  const events = await db
    .selectFrom('run_events')
    .select(['seq', 'type', 'data'])
    .where('run_id', '=', runId)
    .orderBy('seq')
    .execute();
  expect(
    events.map((e) => e.seq),
    'event seq is 1..n without gaps',
  ).toEqual(events.map((_, i) => i + 1));
  const steps = await db
    .selectFrom('run_steps')
    .select(['path', 'status', 'input', 'output', 'error'])
    .where('run_id', '=', runId)
    .execute();
  const succeeded = steps.filter((s) => s.status === 'SUCCEEDED').map((s) => s.path);
  expect(succeeded.length, 'at most one SUCCEEDED record per step path').toBe(new Set(succeeded).size);
  const run = await db
    .selectFrom('runs')
    .select(['status', 'output', 'error', 'execution', 'state'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  if (isTerminal(run.status)) {
    // A finished run left no step half-done, and every step it started has a record saying how it ended.
    expect(
      steps.filter((s) => s.status === 'RUNNING' || s.status === 'WAITING').map((s) => s.path),
      'steps left RUNNING or WAITING in a finished run',
    ).toEqual([]);
    const started = events.filter((e) => e.type === 'step.started').map((e) => (e.data as { path: string }).path);
    expect(
      started.filter((p) => !steps.some((s) => s.path === p)),
      'started steps without a record',
    ).toEqual([]);
  }
  if (secrets.length === 0) return;
  // Snapshots are in the step records (run_steps.snapshot) or, for records stored before, run_snapshots.
  const snapshots = [
    ...(await db.selectFrom('run_steps').select('snapshot').where('run_id', '=', runId).execute()),
    ...(await db.selectFrom('run_snapshots').select('snapshot').where('run_id', '=', runId).execute()),
  ];
  const invocations = await db.selectFrom('action_invocations').select('output').where('run_id', '=', runId).execute();
  const stored = JSON.stringify({ steps, events, snapshots, run, invocations });
  // Searched for as it appears inside JSON text (quotes and backslashes escaped).
  for (const secret of secrets)
    expect(stored.includes(JSON.stringify(secret).slice(1, -1)), `a secret value was stored for run ${runId}`).toBe(
      false,
    );
}

function orderedSteps(result: TFixtureRun, order: TFixtureExpect['order']) {
  return [...result.steps].sort(
    (a, b) =>
      (order === 'started' ? a.started_at.getTime() - b.started_at.getTime() : 0) ||
      compareStepPaths(a.path, b.path) ||
      a.attempt - b.attempt,
  );
}

function isSubsequence(needle: string[], haystack: string[]): boolean {
  let at = 0;
  for (const item of haystack) if (item === needle[at]) at += 1;
  return at === needle.length;
}

async function check(result: TFixtureRun, want: TFixtureExpect): Promise<void> {
  const { run } = result;
  expect({ status: run.status, error: run.error }).toMatchObject({ status: want.status });
  if (want.error === null) expect(run.error).toBeNull();
  else if (want.error !== undefined) expect(run.error).toMatchObject(want.error);
  if ('output' in want) expect(run.output).toEqual(want.output);
  if (want.state !== undefined) expect(run.state).toBe(want.state);
  if (want.vars) expect((run.execution as { scope: { vars: unknown } }).scope.vars).toMatchObject(want.vars);

  const steps = orderedSteps(result, want.order);
  if (want.steps) {
    const actual = steps.map((s, i) =>
      want.steps?.[i]?.length === 3 ? [s.step_id, s.status, s.attempt] : [s.step_id, s.status],
    );
    expect(
      actual,
      `steps (${steps
        .slice(0, 40)
        .map((s) => s.path)
        .join(', ')})`,
    ).toEqual(want.steps);
  }
  if (want.stepCounts) {
    const counts: Record<string, Record<string, number>> = {};
    for (const s of steps) (counts[s.step_id] ??= {})[s.status] = (counts[s.step_id]?.[s.status] ?? 0) + 1;
    expect(counts).toEqual(want.stepCounts);
  }

  if (want.events) {
    const types = result.events.map((e) => e.type);
    if (want.eventsMatch === 'exact') expect(types).toEqual(want.events);
    else
      expect(
        isSubsequence(want.events, types),
        `events ${JSON.stringify(want.events)} in order within ${JSON.stringify(types)}`,
      ).toBe(true);
  }
  for (const expected of want.snapshots ?? []) {
    const record = steps.find((s) => s.path === expected.path && s.status === 'SUCCEEDED');
    const snapshot = result.snapshots.find((s) => s.step_record_id === record?.id);
    expect(snapshot, `a snapshot after ${expected.path}`).toBeDefined();
    if (expected.truncated !== undefined) expect(snapshot!.truncated).toBe(expected.truncated);
    if (expected.snapshot !== undefined) expect(snapshot!.snapshot).toMatchObject(expected.snapshot as object);
  }
  if (want.tasks) {
    expect(result.tasks).toHaveLength(want.tasks.length);
    want.tasks.forEach((task, i) => expect(result.tasks[i]).toMatchObject(task));
  }
  if (want.actionInvocations) {
    expect(result.invocations).toHaveLength(want.actionInvocations.length);
    want.actionInvocations.forEach((row, i) => expect(result.invocations[i]).toMatchObject(row));
  }
  if (want.children) {
    expect(result.children.map((c) => ({ workflow: c.workflow_key, status: c.status }))).toEqual(
      want.children.map((c) => ({ workflow: c.workflow, status: c.status })),
    );
    want.children.forEach((c, i) => {
      if ('output' in c) expect(result.children[i]!.output).toEqual(c.output);
      if (c.error) expect(result.children[i]!.error).toMatchObject(c.error);
      expect(result.children[i]!.parent_step_path).not.toBeNull();
    });
  }
  for (const [stepPath, output] of Object.entries(want.stepOutputs ?? {})) {
    const record = steps.find((s) => s.path === stepPath && s.status === 'SUCCEEDED');
    expect(record, `a SUCCEEDED record at ${stepPath}`).toBeDefined();
    expect(record!.output, `the output of ${stepPath}`).toEqual(output);
  }
  if (want.completedOrder) {
    const times = want.completedOrder.map(
      (p) => steps.find((s) => s.path === p && s.status === 'SUCCEEDED')?.completed_at?.getTime() ?? Number.NaN,
    );
    times.forEach((time, i) => expect(time, `${want.completedOrder![i]} completed`).not.toBeNaN());
    expect(
      [...times].sort((a, b) => a - b),
      `completed in the order ${want.completedOrder.join(' < ')}`,
    ).toEqual(times);
    expect(times[0]!).toBeLessThan(times[times.length - 1]!);
  }
}

describe('interpreter fixtures', () => {
  it.each(fixtures)('$name', async ({ fixture }) => {
    const result = await runFixture({ db: t.db, fixture });
    const secrets = Object.values(fixture.secrets);
    for (const prior of result.prior) {
      expect(prior.status, 'a prior run').toBe(prior.expected);
      await assertInvariants(t.db, prior.runId, secrets);
    }
    await check(result, fixture.expect);
    await assertInvariants(t.db, result.runId, secrets);
    for (const child of result.children) await assertInvariants(t.db, child.id, secrets);
  });
});
