import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { RunWriter } from '@/server/runtime/interpreter/run-writer';
import type { TExecution } from '@/server/runtime/execution/execution-state';
import { claimRun } from '@/server/runtime/run-store/claim-run';
import { startRun } from '@/server/runtime/start-run';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import type { TAuthContext } from '@/server/auth/context';

// A commit empties the writer's buffers as it begins. A step that calls out now starts its
// commit ahead of the call (flushAhead) and may end without waiting for it (its input refused),
// so a failed commit must stop every later one: a later batch would update a step record that
// was never inserted and carry on as if the first batch were stored.

let t: TTestDatabase;
let ctx: TAuthContext;
beforeAll(async () => {
  t = await createTestDatabase('run-writer-failure');
  process.env.DATABASE_URL = t.url;
  ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  await publishWorkflow({
    db: t.db,
    ctx,
    key: 'writer-failure',
    document: { steps: [{ id: 'only', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } }] },
  });
});
afterAll(async () => {
  await closeExpressionPool();
  await t.close();
});

describe('RunWriter after a failed commit', () => {
  it('throws the same error on every later flush and writes nothing more', async () => {
    const { runId } = await startRun({
      tenantId: ctx.tenantId,
      workflowKey: 'writer-failure',
      input: {},
      trigger: { type: 'api' },
    });
    const claimed = await claimRun({ db: t.db, runId, workerId: 'writer-failure-worker' });
    expect(claimed).not.toBeNull();
    const execution: TExecution = {
      formatVersion: 3,
      scope: { vars: {}, error: null },
      cursor: { index: 0 },
      attempts: {},
    };
    const writer = new RunWriter(t.db, { id: runId, tenantId: ctx.tenantId, fence: claimed!.fence }, () => execution);
    const startedAt = new Date();
    const recordId = writer.startStep({
      stepId: 'only',
      path: 'steps[0]',
      type: 'transform.assign',
      attempt: 1,
      status: 'RUNNING',
      input: null,
      output: null,
      error: null,
      startedAt,
      completedAt: null,
    });
    // jsonb refuses NUL: the whole statement fails, the RUNNING record with it.
    writer.event('step.started', 'only', { bad: 'nul \u0000 here' });
    writer.flushAhead();
    // The step goes on while its commit is under way (input resolution awaits in between).
    await new Promise((resolve) => setImmediate(resolve));
    writer.finishStep(recordId, { status: 'SUCCEEDED', output: { x: 1 }, completedAt: new Date() });
    writer.event('step.succeeded', 'only', {});
    const later = writer.flush();
    await expect(later).rejects.toThrow(/\\u0000|unsupported Unicode|invalid/i);
    await expect(writer.flushBeforeEffect()).rejects.toBe(await later.catch((error: unknown) => error));
    const steps = await t.db.selectFrom('run_steps').select('id').where('run_id', '=', runId).execute();
    const events = await t.db
      .selectFrom('run_events')
      .select('type')
      .where('run_id', '=', runId)
      .where('type', 'like', 'step.%')
      .execute();
    expect(steps).toEqual([]);
    expect(events).toEqual([]);
  });
});
