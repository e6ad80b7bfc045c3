import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { ADVANCE_QUEUE, ZAdvanceJob, closeQueue, getQueue } from '@/server/runtime/queue/run-queue';
import { insertRuns, type TNewRun } from '@/server/runtime/run-store/insert-run';
import { startRun } from '@/server/runtime/start-run';
import { advanceRun } from '@/server/runtime/advance-run';
import { LeaseKeeper } from '@/server/runtime/run-store/lease-keeper';
import { updateTenantSettings } from '@/server/tenants/update-tenant-settings';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { publishWorkflow } from '@/test/runtime';
import {
  killAllWorkers,
  startWorker,
  untilAllTerminal,
  WORKER_READY_TIMEOUT_MS,
  workerOutputs,
  type TWorkerProcess,
} from '@/test/faults/fault-harness';

let t: TTestDatabase;
let a: TAuthContext;
let b: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('tenant_fairness');
  process.env.DATABASE_URL = t.url;
  a = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  b = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
  const quick = { steps: [{ id: 'set', type: 'transform.assign', config: { assign: { 'vars.done': true } } }] };
  await publishWorkflow({ db: t.db, ctx: a, key: 'bulk', document: quick });
  await publishWorkflow({ db: t.db, ctx: b, key: 'single', document: quick });
});
afterAll(async () => {
  await killAllWorkers();
  await closeQueue();
  await closeExpressionPool();
  await t.close();
});

async function versionOf(ctx: TAuthContext, key: string) {
  return t.db
    .selectFrom('workflows as w')
    .innerJoin('workflow_versions as v', 'v.workflow_id', 'w.id')
    .select(['w.id as workflowId', 'v.id as versionId'])
    .where('w.tenant_id', '=', ctx.tenantId)
    .where('w.key', '=', key)
    .executeTakeFirstOrThrow();
}

describe('admission is round-robin across tenants (SPEC §8)', () => {
  it("tenant B's single run starts within a few admissions while tenant A has 10,000 queued", async () => {
    const { workflowId, versionId } = await versionOf(a, 'bulk');
    const backlog: TNewRun[] = Array.from({ length: 10_000 }, () => ({
      id: randomUUID(),
      tenantId: a.tenantId,
      workflowId,
      workflowKey: 'bulk',
      versionId,
      version: 1,
      input: {},
      trigger: { type: 'api' },
      parent: null,
      idempotencyKey: null,
    }));
    // Written as the group commit writes them, a few hundred per statement.
    for (let i = 0; i < backlog.length; i += 500) await insertRuns(t.db, backlog.slice(i, i + 500));
    const { runId: bRun } = await startRun({
      tenantId: b.tenantId,
      workflowKey: 'single',
      input: {},
      trigger: { type: 'api' },
    });

    // Admissions as a worker makes them: take the next job pg-boss's fetch gives, advance its run.
    const boss = await getQueue();
    const workerId = `fair-${randomUUID().slice(0, 8)}`;
    const leases = new LeaseKeeper(t.db, workerId, () => {});
    const admitted: string[] = [];
    for (let i = 0; i < 20 && !admitted.includes(bRun); i++) {
      const [job] = await boss.fetch(ADVANCE_QUEUE, { batchSize: 1 });
      if (!job) break;
      const { runId } = ZAdvanceJob.parse(job.data);
      await advanceRun({ db: t.db, runId, workerId, leases });
      await boss.complete(ADVANCE_QUEUE, job.id);
      admitted.push(runId);
    }
    const position = admitted.indexOf(bRun) + 1;
    expect(position).toBeGreaterThan(0);
    expect(position).toBeLessThanOrEqual(3);
    const b1 = await t.db.selectFrom('runs').select(['status']).where('id', '=', bRun).executeTakeFirstOrThrow();
    expect(b1.status).toBe('SUCCEEDED');
    // Tenant A's backlog is still there, in its own order: nothing was dropped.
    const left = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM runs WHERE tenant_id = ${a.tenantId} AND status = 'QUEUED'`.execute(t.db);
    expect(left.rows[0]!.n).toBe(10_000 - (admitted.length - 1));
    await sql`DELETE FROM runs WHERE tenant_id = ${a.tenantId}`.execute(t.db);
    await sql`DELETE FROM pgboss.job WHERE name = ${ADVANCE_QUEUE}`.execute(t.db);
  }, 120_000); // 10,000 runs written in 20 statements: over 30 s on a loaded 2-core machine
});

describe("a tenant's maxConcurrentRuns holds with several workers", () => {
  it(
    'never more than 3 of the tenant runs hold a slot at once, across two workflows, and all finish',
    async () => {
      await updateTenantSettings({ db: t.db, ctx: a, input: { maxConcurrentRuns: 3 } });
      const slow = { steps: [{ id: 'nap', type: 'time.delay', config: { durationMs: 300 } }] };
      await publishWorkflow({ db: t.db, ctx: a, key: 'slow-one', document: slow });
      await publishWorkflow({ db: t.db, ctx: a, key: 'slow-two', document: slow });
      const workers: TWorkerProcess[] = await Promise.all([startWorker({ url: t.url }), startWorker({ url: t.url })]);
      onTestFailed(() => console.log(workerOutputs(workers)));

      const runIds: string[] = [];
      for (let i = 0; i < 16; i++) {
        const key = i % 2 === 0 ? 'slow-one' : 'slow-two';
        runIds.push(
          (await startRun({ tenantId: a.tenantId, workflowKey: key, input: {}, trigger: { type: 'api' } })).runId,
        );
      }
      // Sample the slots held while the runs go (each sample one consistent snapshot).
      let most = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const held = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM runs WHERE tenant_id = ${a.tenantId}
             AND status IN ('RUNNING', 'WAITING', 'PAUSED')`.execute(t.db);
          most = Math.max(most, held.rows[0]!.n);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      await untilAllTerminal(t.db, runIds, 60_000);
      sampling = false;
      await sampler;
      const statuses = await t.db.selectFrom('runs').select('status').where('id', 'in', runIds).execute();
      expect(statuses.every((run) => run.status === 'SUCCEEDED')).toBe(true);
      expect(most).toBeLessThanOrEqual(3);
      expect(most).toBeGreaterThanOrEqual(2);
      const audit = await t.db
        .selectFrom('audit_log')
        .select('data')
        .where('tenant_id', '=', a.tenantId)
        .where('action', '=', 'tenant.settings_changed')
        .executeTakeFirstOrThrow();
      expect(audit.data).toMatchObject({ after: { maxConcurrentRuns: 3 } });
    },
    WORKER_READY_TIMEOUT_MS + 90_000,
  ); // two workers start at once, then 16 runs have 60 s
});
