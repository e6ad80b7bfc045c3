import type { TRandom } from '@/test/chaos/prng';
import type { ChaosOperator } from '@/test/chaos/chaos-operator';
import type { TChaosWorld } from '@/test/chaos/chaos-world';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One fault at a time, at seeded intervals, until `until` passes: SIGKILL of a worker (and a
 * replacement), SIGSTOP of a worker past its lease with operator actions on the runs it
 * held before SIGCONT, a pg_terminate_backend of the workers' connections, and (when asked)
 * one PostgreSQL restart. At least one worker is always running.
 */
export async function runFaults({
  world,
  operator,
  random,
  until,
  pgRestart,
  log,
}: {
  world: TChaosWorld;
  operator: ChaosOperator;
  random: TRandom;
  until: () => boolean;
  pgRestart: { atMs: number } | null;
  log: (line: string) => void;
}): Promise<void> {
  const started = Date.now();
  let restarted = false;
  await sleep(random.int(2_000, 4_000));
  while (!until()) {
    if (pgRestart && !restarted && Date.now() - started >= pgRestart.atMs) {
      restarted = true;
      const downMs = random.int(1_000, 3_000);
      log(`fault: PostgreSQL restart (${downMs} ms down)`);
      await world.restartPostgres(downMs);
    } else {
      const kind = random.pick(['kill', 'kill', 'stop', 'stop', 'terminate'] as const);
      const index = random.int(0, world.slots.length - 1);
      if (kind === 'kill') {
        log(`fault: SIGKILL worker ${world.slots[index]!.worker?.pid}`);
        await world.killSlot(index);
        await world.startSlot(index);
      } else if (kind === 'stop') {
        await stopPastLease(world, operator, random, index, log);
      } else {
        log(`fault: pg_terminate_backend of the workers' connections (${await world.terminateAppConnections()} ended)`);
      }
    }
    await sleep(random.int(3_000, 7_000));
  }
}

async function stopPastLease(
  world: TChaosWorld,
  operator: ChaosOperator,
  random: TRandom,
  preferred: number,
  log: (line: string) => void,
): Promise<void> {
  // Most runs wait most of the time: wait (bounded) for a moment when a worker holds some.
  let index = preferred;
  let held: Array<{ id: string }> = [];
  for (let tries = 0; tries < 40 && held.length === 0; tries++) {
    for (const candidate of [preferred, 1 - preferred]) {
      const id = world.slots[candidate]?.worker?.id;
      if (!id) continue;
      held = await world.db
        .selectFrom('runs')
        .select('id')
        .where('lease_owner', '=', id)
        .where('lease_expires_at', '>', new Date())
        .where('status', 'not in', ['SUCCEEDED', 'FAILED', 'CANCELED'])
        .execute();
      if (held.length > 0) {
        index = candidate;
        break;
      }
    }
    if (held.length === 0) await sleep(100);
  }
  const worker = world.slots[index]!.worker;
  if (!worker) return;
  const expired = await world.stopSlot(index);
  log(
    `fault: SIGSTOP worker ${worker.pid} holding ${held.length} run(s); ${expired} lease(s) ran out while it was stopped`,
  );
  // The operator acts while the stopped worker still thinks it holds the runs.
  for (const run of held.slice(0, 3)) {
    const pick = random.next();
    if (pick < 0.4) operator.spawn('cancel(stopped)', () => operator.cancel(run.id));
    // A stopped worker's WAITING run (claimed for a due timer, nothing committed yet) can be moved.
    else if (pick < 0.6) operator.spawn('migrate(stopped)', () => operator.migrate(run.id));
    else
      operator.spawn('pause(stopped)', async () => {
        await operator.pause(run.id);
        operator.later(random.int(1_500, 4_000), 'resume(stopped)', () => operator.resume(run.id));
      });
  }
  await sleep(random.int(500, 2_500));
  world.continueSlot(index);
  log(`fault: SIGCONT worker ${worker.pid}`);
}
