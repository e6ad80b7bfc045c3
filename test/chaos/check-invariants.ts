import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import type { TJournal, TViolation } from '@/test/chaos/chaos-journal';
import type { TChaosWorld, TFault } from '@/test/chaos/chaos-world';
import type { TGeneratedWorkflow } from '@/test/chaos/generate-workflows';
import { checkEvents } from '@/test/chaos/check-events';

/** The cap SPEC §7.8 puts on Retry-After (the generated policies' maxDelayMs are far below 1 h). */
const RETRY_AFTER_CAP_MS = 3_600_000;
/** Stored execution state: generous, linear in the steps a run did. */
const EXECUTION_BASE_BYTES = 64_000;
const EXECUTION_BYTES_PER_STEP = 4_000;

const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELED'];

/**
 * SPEC §7 over the whole database once the quiet phase is over, against what the journal
 * says the server functions answered. Returns every violation; `notices` are oddities that
 * are not (provably) a breach.
 */
export async function checkInvariants({
  world,
  journal,
  workflows,
}: {
  world: TChaosWorld;
  journal: TJournal;
  workflows: readonly TGeneratedWorkflow[];
}): Promise<{ violations: TViolation[]; notices: string[] }> {
  const { db } = world;
  const violations: TViolation[] = [...journal.sampled];
  const notices: string[] = [];
  const add = (invariant: string, runId: string | null, message: string) =>
    violations.push({ invariant, runId, message });

  await checkProgress(db, add);
  await checkAnswers(db, journal, add);
  await checkEvents({ db, workflows, delivered: journal.events, add });
  await checkOperators(world, journal, add);
  await checkSteps(db, add);
  await checkIdempotency(world, add, (message) => notices.push(message));
  await checkRetries(db, journal, add);
  await checkBounded(db, add);

  for (const crash of world.crashes)
    add(
      'worker crash',
      null,
      `worker ${crash.pid} exited by itself (code ${crash.code}, signal ${crash.signal}); last output:\n${crash.output.slice(-3000)}`,
    );
  const crashed = await db
    .selectFrom('runs')
    .select(['id', 'workflow_key'])
    .where(sql<boolean>`error->>'code' = 'WORKER_CRASHED'`)
    .execute();
  for (const run of crashed)
    notices.push(
      `run ${run.id} (${run.workflow_key}) failed WORKER_CRASHED: three recoveries without progress (the suite kills and stops workers, so this can be legitimate)`,
    );
  return { violations, notices };
}

type TAdd = (invariant: string, runId: string | null, message: string) => void;

/** (1) At the end every run is terminal; for one that is not, say what way forward it has. */
async function checkProgress(db: Db, add: TAdd): Promise<void> {
  const rows = await sql<{
    id: string;
    workflow_key: string;
    status: string;
    lease_owner: string | null;
    lease_live: boolean;
    waits: string | null;
    jobs: string | null;
    updated_at: Date;
  }>`
    SELECT r.id, r.workflow_key, r.status, r.lease_owner, coalesce(r.lease_expires_at > now(), false) AS lease_live, r.updated_at,
      (SELECT string_agg(w.kind || ' at ' || w.step_path || coalesce(' due ' || to_char(w.resume_at, 'HH24:MI:SS.MS'), ' (no due time)'), '; ') FROM run_waits w WHERE w.run_id = r.id AND w.status = 'open') AS waits,
      (SELECT string_agg(j.state || coalesce(' after ' || to_char(j.start_after, 'HH24:MI:SS.MS'), ''), '; ') FROM pgboss.job j WHERE j.data->>'runId' = r.id::text AND j.state IN ('created', 'retry', 'active')) AS jobs
    FROM runs r WHERE r.status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELED')`.execute(db);
  for (const row of rows.rows) {
    const forward = row.lease_live
      ? `held by ${row.lease_owner}`
      : row.jobs
        ? `job ${row.jobs}`
        : 'NO way forward (no live lease, no job)';
    add(
      '1 progress (end)',
      row.id,
      `${row.workflow_key} is still ${row.status} after the quiet phase, last written ${row.updated_at.toISOString()}: ${forward}; open waits: ${row.waits ?? 'none'}`,
    );
  }
}

/** (2) An accepted task answer is never expired afterwards, and its step got that outcome. */
async function checkAnswers(db: Db, journal: TJournal, add: TAdd): Promise<void> {
  for (const answer of journal.answers) {
    const task = await db
      .selectFrom('tasks')
      .select(['status', 'outcome', 'created_at', 'wait_id', 'due_at'])
      .where('id', '=', answer.taskId)
      .executeTakeFirst();
    if (!task) continue;
    const near = answer.dueAt !== null ? ` (answered ${answer.at - answer.dueAt} ms after its due time)` : '';
    if (task.status !== 'completed')
      add(
        '2 one answer per wait',
        answer.runId,
        `task ${answer.taskId} at ${answer.stepPath} was answered "${answer.outcome}" by the ${answer.by} (accepted)${near}, but is now ${task.status}`,
      );
    const wait = await db
      .selectFrom('run_waits')
      .select(['status', 'payload'])
      .where('id', '=', task.wait_id)
      .executeTakeFirst();
    if (
      wait &&
      (wait.status !== 'resolved' || (wait.payload as { outcome?: unknown } | null)?.outcome !== answer.outcome)
    ) {
      add(
        '2 one answer per wait',
        answer.runId,
        `task ${answer.taskId} was answered "${answer.outcome}"${near}, but its wait is ${wait.status} with ${JSON.stringify(wait.payload)}`,
      );
    }
    const attempts = await db
      .selectFrom('run_steps')
      .select(['attempt', 'status', 'output', 'error', 'started_at'])
      .where('run_id', '=', answer.runId)
      .where('path', '=', answer.stepPath)
      .orderBy('attempt')
      .execute();
    const record = attempts.filter((a) => a.started_at.getTime() <= task.created_at.getTime() + 1_000).at(-1);
    if (!record) continue;
    const code = (record.error as { code?: unknown } | null)?.code;
    if (record.status === 'FAILED')
      add(
        '2 one answer per wait',
        answer.runId,
        `task ${answer.taskId} at ${answer.stepPath} was answered "${answer.outcome}"${near}, but the step's attempt ${record.attempt} FAILED with ${String(code)}`,
      );
    if (record.status === 'SUCCEEDED' && (record.output as { outcome?: unknown } | null)?.outcome !== answer.outcome) {
      add(
        '2 one answer per wait',
        answer.runId,
        `task ${answer.taskId} was answered "${answer.outcome}", but the step's output is ${JSON.stringify(record.output)}`,
      );
    }
  }
}

const WORKER_EVENTS = new Set([
  'step.started',
  'step.succeeded',
  'step.failed',
  'step.retry_scheduled',
  'run.waiting',
  'run.succeeded',
  'run.failed',
  'run.started',
  'task.created',
  'log',
]);

/** (3) What an operator wrote directly (CANCELED, PAUSED) is not overwritten, and nothing starts after a cancel. */
async function checkOperators(world: TChaosWorld, journal: TJournal, add: TAdd): Promise<void> {
  const { db } = world;
  for (const op of journal.direct) {
    if (op.seq === null) continue;
    const all = await db
      .selectFrom('run_events')
      .select(['seq', 'type', 'data', 'step_id', 'at'])
      .where('run_id', '=', op.runId)
      .where('seq', '>', op.seq)
      .orderBy('seq')
      .execute();
    // Up to the next operator act (a retry of what a stale worker turned FAILED): what comes after is the operator's doing.
    const byOperator = all.findIndex((e) => Boolean((e.data as { by?: unknown } | null)?.by));
    const after = byOperator < 0 ? all : all.slice(0, byOperator);
    const cutoff = byOperator < 0 ? Number.POSITIVE_INFINITY : all[byOperator]!.at.getTime();
    if (op.kind === 'cancel') {
      const run = await db.selectFrom('runs').select('status').where('id', '=', op.runId).executeTakeFirstOrThrow();
      if (run.status !== 'CANCELED' && after.length > 0)
        add(
          '3 operators win',
          op.runId,
          `cancelRun returned CANCELED (not just requested), but a worker then wrote on: the run is now ${run.status}${byOperator >= 0 ? ' (after an operator acted on what the worker left)' : ''}`,
        );
      if (after.length > 0)
        add(
          '3 operators win',
          op.runId,
          `after run.canceled (seq ${op.seq}) a worker goes on writing: ${after.map((e) => `${e.seq} ${e.type}${e.step_id ? ` ${e.step_id}` : ''}`).join(', ')}`,
        );
      const calls = world.receiver.deliveries.filter(
        (d) => d.key.startsWith(`${op.runId}:`) && d.at > op.at + 200 && d.at < cutoff,
      );
      if (calls.length > 0)
        add(
          '3 operators win',
          op.runId,
          `${calls.length} HTTP call(s) started after the cancel returned: ${calls.map((d) => `${d.key} +${d.at - op.at} ms`).join(', ')}`,
        );
      continue;
    }
    for (const event of after) {
      const data = (event.data ?? {}) as { by?: unknown; code?: unknown };
      if (event.type === 'run.canceled' || (event.type === 'run.resumed' && data.by)) break;
      // A paused run's settings.timeoutMs still applies (the lead's decision, SPEC §7.1): it ends
      // FAILED with TIMEOUT while paused, with nothing run before it.
      if (event.type === 'run.failed' && data.code === 'TIMEOUT') break;
      if (WORKER_EVENTS.has(event.type) || event.type === 'run.resumed') {
        add(
          '3 operators win',
          op.runId,
          `pauseRun returned PAUSED (not just requested) at seq ${op.seq}, but before any operator resumed it the log has ${event.seq} ${event.type}${event.step_id ? ` ${event.step_id}` : ''} ${JSON.stringify(event.data)}`,
        );
        break;
      }
    }
  }
}

/** (4) One SUCCEEDED record per (run, path), one record per attempt, and a gap-free seq. */
async function checkSteps(db: Db, add: TAdd): Promise<void> {
  const twice = await sql<{ run_id: string; path: string; n: number }>`
    SELECT run_id, path, count(*)::int AS n FROM run_steps WHERE status = 'SUCCEEDED' GROUP BY run_id, path HAVING count(*) > 1`.execute(
    db,
  );
  for (const row of twice.rows) add('4 at most one success', row.run_id, `${row.path} has ${row.n} SUCCEEDED records`);
  const attempts = await sql<{ run_id: string; path: string; attempt: number; n: number }>`
    SELECT run_id, path, attempt, count(*)::int AS n FROM run_steps GROUP BY run_id, path, attempt HAVING count(*) > 1`.execute(
    db,
  );
  for (const row of attempts.rows)
    add('4 at most one success', row.run_id, `${row.path} attempt ${row.attempt} has ${row.n} records`);
  const seqs = await sql<{ id: string; n: number; max: number | null; min: number | null; event_seq: number }>`
    SELECT r.id, count(e.seq)::int AS n, max(e.seq) AS max, min(e.seq) AS min, r.event_seq FROM runs r LEFT JOIN run_events e ON e.run_id = r.id
    GROUP BY r.id HAVING count(e.seq) = 0 OR min(e.seq) <> 1 OR max(e.seq) <> count(e.seq) OR max(e.seq) <> r.event_seq`.execute(
    db,
  );
  for (const row of seqs.rows)
    add('4 gap-free seq', row.id, `events: ${row.n}, seq ${row.min}..${row.max}, runs.event_seq ${row.event_seq}`);
  // The runs list's text search reads run_input_texts, written once by a trigger at insert.
  const unsearchable = await sql<{ id: string; problem: string }>`
    SELECT coalesce(r.id, t.run_id) AS id, CASE WHEN t.run_id IS NULL THEN 'no text row' WHEN r.id IS NULL THEN 'a text row without its run' ELSE 'a text row that is not its input' END AS problem
      FROM runs r FULL JOIN run_input_texts t ON t.run_id = r.id
     WHERE t.run_id IS NULL OR r.id IS NULL OR t.input_text IS DISTINCT FROM lower(r.input::text)`.execute(db);
  for (const row of unsearchable.rows) add('searchable input', row.id, `${row.problem} (run_input_texts)`);
}

/** (4) Each Idempotency-Key took effect once, unless the earlier effect's answer never reached a live worker. */
async function checkIdempotency(world: TChaosWorld, add: TAdd, notice: (message: string) => void): Promise<void> {
  const byKey = new Map<string, typeof world.receiver.deliveries>();
  for (const delivery of world.receiver.deliveries) {
    if (delivery.status === null || delivery.status >= 300) continue;
    byKey.set(delivery.key, [...(byKey.get(delivery.key) ?? []), delivery]);
  }
  const disruptive = (fault: TFault) => fault.kind !== 'sigcont';
  for (const [key, effects] of byKey) {
    if (!/^[0-9a-f-]{36}:/.test(key)) continue;
    for (let i = 1; i < effects.length; i++) {
      const first = effects[i - 1]!;
      const again = effects[i]!;
      if (!first.delivered) continue;
      const excused = world.faults.some(
        (fault) => disruptive(fault) && fault.at >= first.at - 500 && fault.at <= again.at,
      );
      if (excused) continue;
      // A call that timed out (step or run timeout) is tried again with the same key: its first effect may or may not have happened.
      const separator = key.indexOf(':');
      const timedOut = await world.db
        .selectFrom('run_steps')
        .select('id')
        .where('run_id', '=', key.slice(0, separator))
        .where('path', '=', key.slice(separator + 1))
        .where('status', 'in', ['FAILED', 'CANCELED'])
        .where(sql<boolean>`error->>'code' IN ('TIMEOUT', 'WORKER_LOST', 'CANCELED')`)
        .executeTakeFirst();
      if (timedOut) continue;
      const lostLease = await leaseLostInFlight(world.db, key.slice(0, separator), first.at, again.at);
      if (lostLease) {
        notice(
          `${key} (${again.path}) took effect twice, ${again.at - first.at} ms apart: in flight at a lost lease (${lostLease}), which SPEC §7.4 allows`,
        );
        continue;
      }
      add(
        '4 idempotency key once',
        key.split(':')[0] ?? null,
        `${key} (${again.path}) took effect twice: answered 200 at +0 and delivered again ${again.at - first.at} ms later, with no crash, stop or disconnect in between`,
      );
    }
  }
}

/**
 * An operator's direct transition of the run (pause, cancel, migrate: written with `by`, which
 * happens only when no live lease covers the run) from just before the first delivery until
 * the second: the worker making the call lost its lease while the call was in flight. Under
 * CPU starvation a worker that is neither killed nor stopped lets its 2 s chaos lease run out
 * mid-call; the operator's pause then fences it out, the call's result is never committed, and
 * the step runs again when the run is resumed: SPEC §7.4's "calls in flight at a crash", which
 * the faults list does not show. The second was once reported as a violation. The 1 s before
 * the first delivery allows for the receiver (in the starved suite process) noting it late.
 */
export async function leaseLostInFlight(
  db: Db,
  runId: string,
  firstAt: number,
  againAt: number,
): Promise<string | null> {
  const transition = await db
    .selectFrom('run_events')
    .select(['type', 'at'])
    .where('run_id', '=', runId)
    .where('type', 'in', ['run.paused', 'run.canceled', 'run.migrated'])
    .where(sql<boolean>`data ? 'by'`)
    .where('at', '>=', new Date(firstAt - 1_000))
    .where('at', '<=', new Date(againAt))
    .orderBy('seq')
    .executeTakeFirst();
  return transition ? `${transition.type} by an operator at ${transition.at.toISOString()}` : null;
}

/** (6) A retried run re-executes the step it failed at. */
async function checkRetries(db: Db, journal: TJournal, add: TAdd): Promise<void> {
  const reported = new Set<string>();
  for (const retry of journal.retries) {
    if (!retry.stepPath || reported.has(`${retry.runId}:${retry.stepPath}`)) continue;
    const newer = await db
      .selectFrom('run_steps')
      .select(['attempt', 'status'])
      .where('run_id', '=', retry.runId)
      .where('path', '=', retry.stepPath)
      .where('attempt', '>', retry.maxAttemptBefore)
      .executeTakeFirst();
    if (newer) continue;
    const run = await db
      .selectFrom('runs')
      .select(['status', 'error'])
      .where('id', '=', retry.runId)
      .executeTakeFirstOrThrow();
    if (run.status === 'CANCELED' || !TERMINAL.includes(run.status)) continue;
    // Paused by an operator after the retry, it reached its deadline before the step: the run's
    // own TIMEOUT (settings.timeoutMs holds while paused) ended it, as it would a canceled run.
    const runTimedOut =
      (run.error as { code?: unknown; stepPath?: unknown } | null)?.code === 'TIMEOUT' &&
      !(run.error as { stepPath?: unknown }).stepPath;
    if (runTimedOut && (await pausedSince(db, retry.runId, retry.at))) continue;
    reported.add(`${retry.runId}:${retry.stepPath}`);
    add(
      '6 retry from failure',
      retry.runId,
      `retried to re-execute ${retry.stepPath} (attempts so far: ${retry.maxAttemptBefore}), but no new attempt of it was recorded; the run is ${run.status}${run.error ? ` with ${JSON.stringify(run.error)}` : ''}`,
    );
  }
}

/** Whether the run was paused at or after `at` (ms since the epoch). */
async function pausedSince(db: Db, runId: string, at: number): Promise<boolean> {
  const paused = await db
    .selectFrom('run_events')
    .select('seq')
    .where('run_id', '=', runId)
    .where('type', '=', 'run.paused')
    .where('at', '>=', new Date(at))
    .executeTakeFirst();
  return paused !== undefined;
}

/** (8) Retry-After is capped, and the stored execution state stays proportionate to the work done. */
async function checkBounded(db: Db, add: TAdd): Promise<void> {
  const delays = await sql<{ run_id: string; step_id: string | null; delay: number }>`
    SELECT DISTINCT ON (run_id, step_id) run_id, step_id, (data->>'delayMs')::bigint AS delay FROM run_events
    WHERE type = 'step.retry_scheduled' AND (data->>'delayMs')::bigint > ${RETRY_AFTER_CAP_MS} ORDER BY run_id, step_id, seq`.execute(
    db,
  );
  for (const row of delays.rows)
    add(
      '8 bounded',
      row.run_id,
      `${row.step_id} scheduled its retry ${row.delay} ms out, beyond the cap of max(maxDelayMs, 1 h)`,
    );
  const sizes = await sql<{ id: string; size: number; steps: number }>`
    SELECT r.id, length(r.execution::text) AS size, (SELECT count(*)::int FROM run_steps s WHERE s.run_id = r.id) AS steps FROM runs r`.execute(
    db,
  );
  for (const row of sizes.rows) {
    if (row.size > EXECUTION_BASE_BYTES + EXECUTION_BYTES_PER_STEP * row.steps)
      add('8 bounded', row.id, `runs.execution is ${row.size} bytes after ${row.steps} step records`);
  }
}
