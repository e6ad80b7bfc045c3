import { randomUUID } from 'node:crypto';
import { deliverEvent } from '@/server/events/deliver-event';
import { cancelRun } from '@/server/runs/cancel-run';
import { migrateRun } from '@/server/runs/migrate-run';
import { pauseRun } from '@/server/runs/pause-run';
import { resumeRun } from '@/server/runs/resume-run';
import { retryRun } from '@/server/runs/retry-run';
import { startRun } from '@/server/runtime/start-run';
import { completeTask } from '@/server/tasks/complete-task';
import { count, errorCode, type TDeliveredEvent, type TJournal } from '@/test/chaos/chaos-journal';
import type { TChaosWorld } from '@/test/chaos/chaos-world';

/**
 * The operator, the inbox and the event source of a chaos run, each a thin call of the real
 * server function whose answer is written to the journal: what the invariants later hold the
 * database to is what these functions said they did.
 */
export class ChaosOperator {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly world: TChaosWorld,
    private readonly journal: TJournal,
  ) {}

  /** Runs `work` in the background; drain() waits for all of it. Failures are counted, never thrown. */
  spawn(what: string, work: () => Promise<unknown>): void {
    const promise = work()
      .then(() => count(this.journal, `${what}:ok`))
      .catch((error: unknown) => count(this.journal, `${what}:${errorCode(error)}`))
      .finally(() => this.pending.delete(promise));
    this.pending.add(promise);
  }

  /** Runs `work` at `delayMs` from now (bounded: drain() cancels what has not started). */
  later(delayMs: number, what: string, work: () => Promise<unknown>): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.spawn(what, work);
      },
      Math.max(0, delayMs),
    );
    this.timers.add(timer);
  }

  async drain({ cancelLater }: { cancelLater: boolean }): Promise<void> {
    if (cancelLater) {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
    }
    while (this.pending.size > 0 || (!cancelLater && this.timers.size > 0)) {
      await Promise.all([...this.pending]);
      if (this.pending.size === 0 && this.timers.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async start(workflowKey: string): Promise<void> {
    const { runId } = await startRun({
      tenantId: this.world.editor.tenantId,
      workflowKey,
      input: {},
      trigger: { type: 'api' },
    });
    this.journal.runIds.push(runId);
  }

  private async lastEventSeq(runId: string, type: string): Promise<number | null> {
    const row = await this.world.db
      .selectFrom('run_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('run_id', '=', runId)
      .where('type', '=', type)
      .executeTakeFirst();
    return row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
  }

  async cancel(runId: string): Promise<void> {
    const at = Date.now();
    const result = await cancelRun({
      db: this.world.db,
      ctx: this.world.operator,
      input: { id: runId, reason: 'chaos' },
    });
    if (!result.requested && result.status === 'CANCELED')
      this.journal.direct.push({ runId, kind: 'cancel', at, seq: await this.lastEventSeq(runId, 'run.canceled') });
  }

  async pause(runId: string): Promise<boolean> {
    const at = Date.now();
    const result = await pauseRun({
      db: this.world.db,
      ctx: this.world.operator,
      input: { id: runId, reason: 'chaos' },
    });
    if (!result.requested && result.status === 'PAUSED')
      this.journal.direct.push({ runId, kind: 'pause', at, seq: await this.lastEventSeq(runId, 'run.paused') });
    return true;
  }

  /**
   * Moves a WAITING or PAUSED run to the other of its workflow's two versions, which hold the
   * same document (chaos-run publishes each twice): every path maps to itself, so what this
   * exercises is the move's locking, fence and lease under the faults, not the translation.
   */
  async migrate(runId: string): Promise<void> {
    const run = await this.world.db
      .selectFrom('runs')
      .select('version')
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    await migrateRun({
      db: this.world.db,
      ctx: this.world.operator,
      input: { id: runId, version: run.version === 1 ? 2 : 1, reason: 'chaos' },
    });
  }

  async resume(runId: string): Promise<void> {
    await resumeRun({ db: this.world.db, ctx: this.world.operator, input: { id: runId, reason: 'chaos' } });
  }

  async retry(runId: string): Promise<void> {
    const run = await this.world.db
      .selectFrom('runs')
      .select(['error', 'status'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    const stepPath = ((run.error ?? {}) as { stepPath?: unknown }).stepPath;
    const path = typeof stepPath === 'string' ? stepPath : null;
    const before = path
      ? await this.world.db
          .selectFrom('run_steps')
          .select((eb) => eb.fn.max('attempt').as('attempt'))
          .where('run_id', '=', runId)
          .where('path', '=', path)
          .executeTakeFirst()
      : undefined;
    const at = Date.now();
    await retryRun({ db: this.world.db, ctx: this.world.operator, input: { id: runId, reason: 'chaos' } });
    this.journal.retries.push({ runId, at, stepPath: path, maxAttemptBefore: Number(before?.attempt ?? 0) });
  }

  async answer(
    task: { id: string; runId: string; stepPath: string; dueAt: Date | null },
    outcome: string,
  ): Promise<void> {
    await completeTask({
      db: this.world.db,
      ctx: this.world.operator,
      input: { id: task.id, outcome, data: { note: 'chaos' } },
    });
    this.journal.answers.push({
      taskId: task.id,
      runId: task.runId,
      stepPath: task.stepPath,
      outcome,
      at: Date.now(),
      by: 'operator',
      dueAt: task.dueAt?.getTime() ?? null,
    });
  }

  /**
   * An admin resolves the run's single open event or task wait with a payload (resumeRun on a
   * WAITING run). Journaled only once resumeRun accepted it: a run paused between this read and
   * the call is refused (409), not resumed with the payload dropped, as it once was (seed 120821).
   */
  async adminResolve(runId: string): Promise<void> {
    const waits = await this.world.db
      .selectFrom('run_waits')
      .select(['id', 'kind', 'step_path'])
      .where('run_id', '=', runId)
      .where('status', '=', 'open')
      .where('kind', 'in', ['event', 'task'])
      .execute();
    if (waits.length !== 1) return;
    const wait = waits[0]!;
    const task =
      wait.kind === 'task'
        ? await this.world.db
            .selectFrom('tasks')
            .select(['id', 'due_at'])
            .where('wait_id', '=', wait.id)
            .where('status', '=', 'open')
            .executeTakeFirst()
        : undefined;
    const nonce = randomUUID();
    const payload = wait.kind === 'task' ? { outcome: 'approve', data: { note: 'admin' } } : { nonce, by: 'admin' };
    await resumeRun({
      db: this.world.db,
      ctx: this.world.admin,
      input: { id: runId, payload, waitId: wait.id, reason: 'chaos admin' },
    });
    if (task)
      this.journal.answers.push({
        taskId: task.id,
        runId,
        stepPath: wait.step_path,
        outcome: 'approve',
        at: Date.now(),
        by: 'admin',
        dueAt: task.due_at?.getTime() ?? null,
      });
  }

  async deliver(event: string, correlationKey: string | null, purpose: TDeliveredEvent['purpose']): Promise<void> {
    const nonce = randomUUID();
    const at = Date.now();
    const record = await deliverEvent({
      db: this.world.db,
      ctx: this.world.editor,
      input: { event, ...(correlationKey ? { correlationKey } : {}), payload: { nonce } },
    });
    this.journal.events.push({
      nonce,
      event,
      correlationKey,
      at,
      doneAt: Date.now(),
      resumed: record.resumed,
      purpose,
    });
  }

  /** Open tasks of non-terminal runs. */
  openTasks() {
    return this.world.db
      .selectFrom('tasks')
      .innerJoin('runs', 'runs.id', 'tasks.run_id')
      .select(['tasks.id', 'tasks.run_id as runId', 'tasks.step_path as stepPath', 'tasks.due_at as dueAt'])
      .where('tasks.status', '=', 'open')
      .where('runs.status', 'not in', ['SUCCEEDED', 'FAILED', 'CANCELED'])
      .execute();
  }

  /** Open event waits of non-terminal runs. */
  openEventWaits() {
    return this.world.db
      .selectFrom('run_waits')
      .innerJoin('runs', 'runs.id', 'run_waits.run_id')
      .select([
        'run_waits.id',
        'run_waits.run_id as runId',
        'run_waits.event',
        'run_waits.correlation_key as correlationKey',
      ])
      .where('run_waits.status', '=', 'open')
      .where('run_waits.kind', '=', 'event')
      .where('runs.status', 'not in', ['SUCCEEDED', 'FAILED', 'CANCELED'])
      .execute();
  }

  runsIn(statuses: Array<'QUEUED' | 'RUNNING' | 'WAITING' | 'PAUSED' | 'FAILED'>) {
    return this.world.db
      .selectFrom('runs')
      .select(['id', 'status', 'workflow_key as workflowKey', 'lease_owner as leaseOwner'])
      .where('status', 'in', statuses)
      .execute();
  }
}
