import type { TRandom } from '@/test/chaos/prng';
import type { ChaosOperator } from '@/test/chaos/chaos-operator';
import type { TChaosWorld } from '@/test/chaos/chaos-world';
import type { TGeneratedWorkflow, TSnipe } from '@/test/chaos/generate-workflows';

type TPendingSnipe = {
  runId: string;
  dueAt: number;
  fence: string;
  snipe: TSnipe;
  index: number | null;
  onClaim: boolean;
  offsetMs: number;
};

/**
 * The instants that matter, watched closely: an event is delivered as the delay before its
 * wait ends (the moment the wait is being created: at the run's next claim, or a few ms after
 * the delay is due), and some tasks with a timeout are answered within ±40 ms of it.
 */
export class ChaosWatchers {
  private readonly seenTimers = new Set<string>();
  private readonly seenTasks = new Set<string>();
  private pending: TPendingSnipe[] = [];

  constructor(
    private readonly world: TChaosWorld,
    private readonly operator: ChaosOperator,
    private readonly workflows: readonly TGeneratedWorkflow[],
    private readonly random: TRandom,
  ) {}

  /** Registers new delays that precede an event wait, and tasks about to time out. */
  async discover(): Promise<void> {
    const timers = await this.world.db
      .selectFrom('run_waits')
      .innerJoin('runs', 'runs.id', 'run_waits.run_id')
      .select([
        'run_waits.id',
        'run_waits.run_id as runId',
        'run_waits.step_path as path',
        'run_waits.resume_at as resumeAt',
        'runs.workflow_key as workflowKey',
        'runs.fence',
      ])
      .where('run_waits.kind', '=', 'timer')
      .where('run_waits.status', '=', 'open')
      .execute();
    for (const timer of timers) {
      if (this.seenTimers.has(timer.id) || !timer.resumeAt) continue;
      this.seenTimers.add(timer.id);
      const workflow = this.workflows.find((w) => w.key === timer.workflowKey);
      for (const snipe of workflow?.snipes ?? []) {
        const match = snipe.delayPath.exec(timer.path);
        if (!match) continue;
        this.pending.push({
          runId: timer.runId,
          dueAt: timer.resumeAt.getTime(),
          fence: String(timer.fence),
          snipe,
          index: match[1] === undefined ? null : Number(match[1]),
          onClaim: this.random.chance(0.5),
          offsetMs: this.random.int(0, 150),
        });
      }
    }
    const soon = await this.world.db
      .selectFrom('tasks')
      .select(['id', 'run_id as runId', 'step_path as stepPath', 'due_at as dueAt', 'outcomes'])
      .where('status', '=', 'open')
      .where('due_at', 'is not', null)
      .execute();
    for (const task of soon) {
      if (this.seenTasks.has(task.id) || !task.dueAt) continue;
      this.seenTasks.add(task.id);
      if (!this.random.chance(0.6)) continue;
      const offset = this.random.int(-40, 40);
      const outcome = this.random.pick(task.outcomes);
      this.operator.later(task.dueAt.getTime() + offset - Date.now(), 'answer(at timeout)', () =>
        this.operator.answer(task, outcome),
      );
    }
  }

  /** Fires the snipes whose moment has come; polled often while any is pending. */
  async fire(): Promise<void> {
    const now = Date.now();
    const due = this.pending.filter((p) => now >= p.dueAt - 10);
    if (due.length === 0) return;
    const fences = await this.world.db
      .selectFrom('runs')
      .select(['id', 'fence'])
      .where('id', 'in', [...new Set(due.map((p) => p.runId))])
      .execute();
    const fenceOf = new Map(fences.map((r) => [r.id, String(r.fence)]));
    for (const snipe of due) {
      const claimed = fenceOf.get(snipe.runId) !== snipe.fence;
      const ready = snipe.onClaim ? claimed || now > snipe.dueAt + 3_000 : now >= snipe.dueAt + snipe.offsetMs;
      if (!ready) continue;
      this.pending = this.pending.filter((p) => p !== snipe);
      const key = snipe.snipe.key ? snipe.snipe.key(snipe.runId, snipe.index) : null;
      this.operator.spawn('deliver(snipe)', () => this.operator.deliver(snipe.snipe.event, key, 'snipe'));
    }
  }

  hasPending(): boolean {
    return this.pending.length > 0;
  }
}
