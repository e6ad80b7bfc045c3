import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { pauseRun } from '@/server/runs/pause-run';
import { startRun } from '@/server/runtime/start-run';
import type { TTestDatabase } from '@/test/database';
import { publishWorkflow } from '@/test/runtime';
import { leaseLostInFlight } from '@/test/chaos/check-invariants';
import { workOffJobs } from '@/test/faults/work-off-jobs';
import { closeRuntimeTenant, openRuntimeTenant } from '@/test/faults/runtime-tenant';

/**
 * The chaos checker's excuse for an idempotency key that took effect twice: an operator's
 * direct pause (no live lease: the worker's had run out, mid-call, under CPU starvation) between
 * the two deliveries. A pause the worker carried out itself (asked of a live holder) is no such
 * evidence, nor is one outside the window.
 */
let t: TTestDatabase;
let editor: TAuthContext;
let operator: TAuthContext;
beforeAll(async () => {
  ({ t, editor, operator } = await openRuntimeTenant('lease_lost_in_flight'));
  await publishWorkflow({
    db: t.db,
    ctx: editor,
    key: 'waits',
    document: { steps: [{ id: 'hear', type: 'event.wait', config: { event: 'never.sent' } }] },
  });
});
afterAll(() => closeRuntimeTenant(t));

it("names an operator's direct pause between the two deliveries, and nothing outside them or for a run never paused", async () => {
  const { runId } = await startRun({
    tenantId: editor.tenantId,
    workflowKey: 'waits',
    input: {},
    trigger: { type: 'api' },
  });
  await workOffJobs(t.db, runId);
  const before = Date.now();
  expect(await leaseLostInFlight(t.db, runId, before - 5_000, before)).toBeNull();
  await pauseRun({ db: t.db, ctx: operator, input: { id: runId } });
  const after = Date.now();
  expect(await leaseLostInFlight(t.db, runId, before - 500, after + 500)).toMatch(/^run\.paused by an operator at /);
  // Paused long after the second delivery, or more than a second before the first: not this call's.
  expect(await leaseLostInFlight(t.db, runId, before - 10_000, before - 5_000)).toBeNull();
  expect(await leaseLostInFlight(t.db, runId, after + 2_000, after + 5_000)).toBeNull();
});
