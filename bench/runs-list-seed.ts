/**
 * The data of the runs-list benchmark (bench/runs-list.ts): six workflows (five that end, some
 * failing, and one that waits on an event) and n runs of them, written in bulk through the run
 * store's own `insertRuns` and then run by the app's real worker.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '@/server/db/database';
import { publishOverHttp, type BenchClient } from '@/bench/lib/http-load';
import { insertRuns, type TNewRun } from '@/server/runtime/run-store/insert-run';

const STATES = ['new', 'approved', 'shipped', 'refunded'] as const;
const WORDS = ['invoice', 'order', 'refund', 'shipment', 'customer', 'priority', 'express', 'backorder'];

/** The workflows the seeded runs belong to: five that end (some failing), one that waits on an event. */
const ENDING = ['list-a', 'list-b', 'list-c', 'list-d', 'list-e'];
export const WAITING = 'list-wait';

export function endingDocument() {
  return {
    steps: [
      { id: 'mark', type: 'state.set', config: { state: { $expr: 'payload.state' } } },
      { id: 'calc', type: 'transform.assign', config: { assign: { 'vars.total': { $expr: 'payload.amount * 2' } } } },
      {
        id: 'check',
        type: 'control.if',
        config: {
          condition: { $expr: 'payload.fail' },
          then: [{ id: 'boom', type: 'control.fail', config: { code: 'DECLINED', message: 'declined' } }],
        },
      },
    ],
  };
}

function inputOf(i: number) {
  return {
    customer: `cust-${String(i % 5000).padStart(5, '0')}`,
    state: STATES[i % STATES.length],
    amount: i,
    fail: i % 17 === 0,
    note: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} #${i}`,
  };
}

export async function seed(db: Db, tenantId: string, n: number): Promise<number> {
  const versions = await db
    .selectFrom('workflow_versions as v')
    .innerJoin('workflows as w', 'w.id', 'v.workflow_id')
    .select(['w.id as workflowId', 'w.key', 'v.id as versionId', 'v.version'])
    .where('w.tenant_id', '=', tenantId)
    .where('w.key', 'in', [...ENDING, WAITING])
    .where('v.status', '=', 'published')
    .execute();
  const byKey = new Map(versions.map((v) => [v.key, v]));
  const t0 = performance.now();
  const BATCH = 1000;
  for (let from = 0; from < n; from += BATCH) {
    const runs: TNewRun[] = [];
    for (let i = from; i < Math.min(n, from + BATCH); i++) {
      const key = i % 50 === 0 ? WAITING : ENDING[i % ENDING.length]!;
      const v = byKey.get(key)!;
      runs.push({
        id: randomUUID(),
        tenantId,
        workflowId: v.workflowId,
        workflowKey: key,
        versionId: v.versionId,
        version: v.version,
        input: inputOf(i),
        trigger: { type: 'api' },
        parent: null,
        idempotencyKey: null,
      });
    }
    await insertRuns(db, runs);
  }
  return performance.now() - t0;
}

export async function waitForDrain(db: Db, tenantId: string, n: number): Promise<number> {
  const t0 = performance.now();
  const deadline = Date.now() + 1_800_000;
  for (;;) {
    const row = await db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([
          eb('status', 'in', ['SUCCEEDED', 'FAILED']),
          eb.and([eb('workflow_key', '=', WAITING), eb('status', '=', 'WAITING')]),
        ]),
      )
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= n) return performance.now() - t0;
    if (Date.now() > deadline) throw new Error(`bench: seeded runs did not settle (${row.n} of ${n})`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Publishes the seeded runs' workflows through the API. */
export async function publishSeedWorkflows(client: BenchClient): Promise<void> {
  for (const key of ENDING) await publishOverHttp(client, key, endingDocument());
  await publishOverHttp(client, WAITING, {
    steps: [
      {
        id: 'await',
        type: 'event.wait',
        config: { event: 'bench.never', correlationKey: { $expr: 'payload.customer' } },
      },
    ],
  });
}
