import os from 'node:os';
import { sql } from 'kysely';
import { publishWorkflow } from '@/test/runtime';
import { publishVersion } from '@/server/workflows/publish-version';
import { saveDraft } from '@/server/workflows/save-draft';
import { ChaosOperator } from '@/test/chaos/chaos-operator';
import { ChaosSamplers } from '@/test/chaos/chaos-samplers';
import { ChaosWatchers } from '@/test/chaos/chaos-watchers';
import { runFaults } from '@/test/chaos/chaos-faults';
import { checkInvariants } from '@/test/chaos/check-invariants';
import { createJournal, type TJournal, type TViolation } from '@/test/chaos/chaos-journal';
import { startChaosWorld, type TChaosWorld } from '@/test/chaos/chaos-world';
import { generateWorkflows, type TGeneratedWorkflow } from '@/test/chaos/generate-workflows';
import { writeChaosReport } from '@/test/chaos/chaos-report';
import { createRandom, type TRandom } from '@/test/chaos/prng';

export type TChaosOptions = {
  seed: number;
  /** How long runs are started, operated on and faulted. */
  chaosMs: number;
  /** The most the quiet phase may take to bring every run to an end. */
  quietMs: number;
  runs: number;
  workflows: number;
  pgRestart: boolean;
  hugeRetryAfter: boolean;
  log: (line: string) => void;
};

export type TChaosResult = {
  seed: number;
  violations: TViolation[];
  notices: string[];
  runs: number;
  reportFile: string | null;
  counts: Map<string, number>;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELED'] as const;

/** Repeats `work` every `everyMs` until `stop()`; errors (a database restarting) are counted, not thrown. */
async function loop(
  stop: () => boolean,
  everyMs: () => number,
  work: () => Promise<void>,
  onError: (error: unknown) => void,
): Promise<void> {
  while (!stop()) {
    await work().catch(onError);
    await sleep(everyMs());
  }
}

/**
 * One chaos run: generate and publish workflows from the seed, start runs and act on them
 * (operators, inbox, events) under faults for `chaosMs`, bring everything to an end in a
 * quiet phase, then check SPEC §7 over the whole database.
 */
export async function runChaos(options: TChaosOptions): Promise<TChaosResult> {
  const { log } = options;
  log(`chaos seed ${options.seed} (replay with --seed ${options.seed})`);
  const random = createRandom(options.seed);
  const world = await startChaosWorld({ log });
  const journal = createJournal();
  let workflows: TGeneratedWorkflow[] = [];
  try {
    workflows = generateWorkflows(random.fork('workflows'), {
      receiverUrl: world.receiver.url,
      workflows: options.workflows,
      hugeRetryAfter: options.hugeRetryAfter,
    });
    for (const workflow of workflows) {
      await publishWorkflow({
        db: world.db,
        ctx: world.editor,
        key: workflow.key,
        document: workflow.document as never,
      }).catch((error: unknown) => {
        throw new Error(
          `the generated workflow ${workflow.key} does not publish: ${error instanceof Error ? error.message : String(error)}\n${JSON.stringify(workflow.document)}`,
        );
      });
      // The same document again as version 2, for the operator to move waiting runs between (migrate).
      await saveDraft({
        db: world.db,
        ctx: world.editor,
        input: {
          key: workflow.key,
          document: { key: workflow.key, name: workflow.key, ...workflow.document } as never,
        },
      });
      await publishVersion({ db: world.db, ctx: world.editor, input: { key: workflow.key, version: 2 } });
    }
    log(`published ${workflows.length} workflows; workers ${world.slots.map((s) => s.worker?.pid).join(', ')}`);
    await drive(world, journal, workflows, random, options);
    log('checking the invariants over the whole database');
    const { violations, notices } = await checkInvariants({ world, journal, workflows });
    const reportFile = await writeChaosReport({
      world,
      journal,
      workflows,
      violations,
      notices,
      seed: options.seed,
      log,
    });
    return { seed: options.seed, violations, notices, runs: journal.runIds.length, reportFile, counts: journal.counts };
  } finally {
    await world.close();
  }
}

async function drive(
  world: TChaosWorld,
  journal: TJournal,
  workflows: TGeneratedWorkflow[],
  random: TRandom,
  options: TChaosOptions,
): Promise<void> {
  const { log } = options;
  const operator = new ChaosOperator(world, journal);
  const samplers = new ChaosSamplers(world, workflows, (violation) => {
    journal.sampled.push(violation);
    log(`violation (sampled): [${violation.invariant}] ${violation.runId ?? ''} ${violation.message}`);
  });
  const watchers = new ChaosWatchers(world, operator, workflows, random.fork('watchers'));
  const schedule = random.fork('schedule');
  const targets = random.fork('targets');
  const parents = workflows.filter((w) => !w.child);
  const freeEvents = workflows.flatMap((w) => JSON.stringify(w.document).match(/chaos\.free\.[A-Za-z0-9.-]+/g) ?? []);
  const begun = Date.now();
  const chaosEnd = begun + options.chaosMs;
  let samplingDone = false;
  let wasDown = false;
  const sampleErrors = { n: 0 };
  const onSampleError = () => {
    sampleErrors.n += 1;
  };
  const guard = (work: () => Promise<void>) => async () => {
    if (world.pgDown()) {
      wasDown = true;
      return;
    }
    if (wasDown) {
      samplers.resetAdmission();
      wasDown = false;
    }
    await work();
  };
  const background = [
    loop(
      () => samplingDone,
      () => 1_000,
      guard(() => samplers.progress()),
      onSampleError,
    ),
    loop(
      () => samplingDone,
      () => 250,
      guard(() => samplers.limits()),
      onSampleError,
    ),
    loop(
      () => samplingDone,
      () => 600,
      guard(() => samplers.forEachWindows()),
      onSampleError,
    ),
    loop(
      () => Date.now() > chaosEnd,
      () => 150,
      guard(() => watchers.discover()),
      onSampleError,
    ),
    loop(
      () => Date.now() > chaosEnd + 3_000,
      () => (watchers.hasPending() ? 15 : 60),
      guard(() => watchers.fire()),
      onSampleError,
    ),
  ];
  const faults = runFaults({
    world,
    operator,
    random: random.fork('faults'),
    until: () => Date.now() > chaosEnd,
    pgRestart: options.pgRestart ? { atMs: options.chaosMs * 0.45 } : null,
    log,
  });

  // The chaos phase: every 100 ms the seeded schedule decides what happens now.
  const retriesOf = new Map<string, number>();
  let starts = 0;
  while (Date.now() < chaosEnd) {
    const elapsed = Date.now() - begun;
    const wanted = Math.min(options.runs, Math.ceil((options.runs * elapsed) / (options.chaosMs * 0.6)));
    for (; starts < wanted; starts++) {
      const workflow = schedule.pick(parents);
      operator.spawn('start', () => operator.start(workflow.key));
    }
    if (!world.pgDown()) {
      if (schedule.chance(0.3))
        operator.spawn('answer', async () => {
          const tasks = await operator.openTasks();
          if (tasks.length) await operator.answer(targets.pick(tasks), targets.pick(['approve', 'reject']));
        });
      if (schedule.chance(0.3))
        operator.spawn('deliver(open)', async () => {
          const waits = await operator.openEventWaits();
          if (waits.length) {
            const wait = targets.pick(waits);
            await operator.deliver(wait.event!, wait.correlationKey, 'open-wait');
          }
        });
      if (freeEvents.length && schedule.chance(0.04))
        operator.spawn('deliver(free)', () => operator.deliver(targets.pick(freeEvents), null, 'free'));
      if (schedule.chance(0.025))
        operator.spawn('cancel', async () => {
          const runs = await operator.runsIn(['QUEUED', 'RUNNING', 'WAITING', 'PAUSED']);
          if (runs.length) await operator.cancel(targets.pick(runs).id);
        });
      if (schedule.chance(0.05)) {
        const resumeAfter = schedule.int(300, 3_000);
        operator.spawn('pause', async () => {
          const runs = await operator.runsIn(['QUEUED', 'RUNNING', 'WAITING']);
          if (!runs.length) return;
          const run = targets.pick(runs);
          await operator.pause(run.id);
          operator.later(resumeAfter, 'resume', () => operator.resume(run.id));
        });
      }
      if (schedule.chance(0.03))
        operator.spawn('migrate', async () => {
          const runs = await operator.runsIn(['WAITING', 'PAUSED']);
          if (runs.length) await operator.migrate(targets.pick(runs).id);
        });
      if (schedule.chance(0.04))
        operator.spawn('admin-resolve', async () => {
          const runs = await operator.runsIn(['WAITING']);
          if (runs.length) await operator.adminResolve(targets.pick(runs).id);
        });
      if (schedule.chance(0.12))
        operator.spawn('retry', async () => {
          const runs = (await operator.runsIn(['FAILED'])).filter((r) => (retriesOf.get(r.id) ?? 0) < 2);
          if (!runs.length) return;
          const run = targets.pick(runs);
          retriesOf.set(run.id, (retriesOf.get(run.id) ?? 0) + 1);
          await operator.retry(run.id);
        });
    }
    await sleep(100);
  }
  log(`chaos phase over: ${journal.runIds.length} runs started; waiting for the last fault`);
  await faults;
  log('faults over');
  await quietPhase(world, journal, operator, options);
  samplingDone = true;
  await Promise.all(background);
  await operator.drain({ cancelLater: true });
  log('background work drained');
  if (sampleErrors.n > 0)
    log(`${sampleErrors.n} sampler/watcher passes failed (database restarting or connections dropped)`);
}

/** Faults stop, two healthy workers run; tasks are answered, events sent, paused runs resumed, until every run has ended. */
async function quietPhase(
  world: TChaosWorld,
  journal: TJournal,
  operator: ChaosOperator,
  options: TChaosOptions,
): Promise<void> {
  for (let i = 0; i < world.slots.length; i++) {
    world.continueSlot(i);
    if (!world.slots[i]!.worker) await world.startSlot(i);
  }
  await operator.drain({ cancelLater: false });
  const begun = Date.now();
  const deadline = begun + options.quietMs;
  // On a starved machine (load 25 on 2 cores) the runs still make progress when quietMs is up:
  // ending there reported runs "still going" that were only slow. Past it, the phase goes on while
  // the event log grows (some run moved within QUIET_STALL_MS), up to QUIET_EXTENSION times quietMs.
  const bound = begun + options.quietMs * QUIET_EXTENSION;
  let progress = { events: -1, at: begun };
  options.log(
    `quiet phase: up to ${options.quietMs} ms for every run to end (longer while runs still progress, at most ${options.quietMs * QUIET_EXTENSION} ms; load ${os.loadavg()[0]!.toFixed(1)})`,
  );
  for (let pass = 0; ; pass++) {
    const now = Date.now();
    const events = await eventsWritten(world.db);
    if (events !== null && events !== progress.events) progress = { events, at: now };
    if (now >= bound || (now >= deadline && now - progress.at >= QUIET_STALL_MS)) break;
    const open = await world.db
      .selectFrom('runs')
      .select(['id', 'status'])
      .where('status', 'not in', [...TERMINAL])
      .execute()
      .catch(() => null);
    if (open && open.length === 0) {
      options.log(`quiet phase: every run ended after ${pass} passes`);
      return;
    }
    if (pass % 4 === 0) {
      for (const task of await operator.openTasks())
        operator.spawn('answer(quiet)', () => operator.answer(task, 'approve'));
      for (const wait of await operator.openEventWaits())
        operator.spawn('deliver(quiet)', () => operator.deliver(wait.event!, wait.correlationKey, 'quiet'));
      for (const run of open?.filter((r) => r.status === 'PAUSED') ?? [])
        operator.spawn('resume(quiet)', () => operator.resume(run.id));
      // A retry honouring a huge Retry-After (capped at 1 h at best) cannot end here: such runs are canceled.
      const farOff = await world.db
        .selectFrom('run_waits')
        .select('run_id')
        .where('status', '=', 'open')
        .where('kind', '=', 'retry')
        .where('resume_at', '>', new Date(Date.now() + options.quietMs))
        .execute()
        .catch(() => []);
      for (const wait of farOff) operator.spawn('cancel(far retry)', () => operator.cancel(wait.run_id));
      await operator.drain({ cancelLater: false });
    }
    await sleep(500);
  }
  options.log(
    `quiet phase: ${Date.now() - begun} ms passed with runs still going (${journal.runIds.length} started; the last event ${Date.now() - progress.at} ms ago; load ${os.loadavg()[0]!.toFixed(1)})`,
  );
}

/** How many times quietMs the quiet phase may last while runs still progress. */
const QUIET_EXTENSION = 3;
/** No event written for this long past quietMs: progress has stopped, and the phase ends. */
const QUIET_STALL_MS = 15_000;

/** Every run's event count, summed: grows whenever any run moves. Null when the database is not answering. */
async function eventsWritten(db: TChaosWorld['db']): Promise<number | null> {
  const row = await sql<{ n: string }>`SELECT coalesce(sum(event_seq), 0)::text AS n FROM runs`
    .execute(db)
    .catch(() => null);
  return row ? Number(row.rows[0]?.n ?? 0) : null;
}
