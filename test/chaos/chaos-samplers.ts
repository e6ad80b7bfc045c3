import { sql } from 'kysely';
import type { TViolation } from '@/test/chaos/chaos-journal';
import type { TGeneratedWorkflow } from '@/test/chaos/generate-workflows';
import type { TChaosWorld } from '@/test/chaos/chaos-world';

/** A due wait may be late by the spec's 2 s; the samplers allow this much more for a loaded 2-core machine. */
export const PROGRESS_SLACK_MS = 5_000;
/** A free slot is to be filled within 1 s; likewise with slack. */
export const ADMISSION_SLACK_MS = 5_000;

/**
 * Invariants that can only be seen while the run goes on, sampled from the database:
 *   (1) a due wait is acted on: no open wait more than 2 s + slack past due on a run nobody
 *       holds and no job due now is queued for (a job due later, such as a held run's rate
 *       retry, does not act on a timeout that is due);
 *   (5) maxConcurrentRuns is never exceeded, and held QUEUED runs do not sit beside free slots;
 *   (7) a forEach over waits keeps min(concurrency, remaining) iterations in progress.
 * Each breach is reported once.
 */
export class ChaosSamplers {
  private readonly seen = new Set<string>();
  private readonly freeSince = new Map<string, number>();
  private readonly windowSamples = new Map<string, string>();

  constructor(
    private readonly world: TChaosWorld,
    private readonly workflows: readonly TGeneratedWorkflow[],
    private readonly report: (violation: TViolation) => void,
  ) {}

  private once(id: string, violation: TViolation): void {
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.report(violation);
  }

  /** (1) Overdue waits on runs without a way forward. */
  async progress(): Promise<void> {
    const slack = `${(2_000 + PROGRESS_SLACK_MS) / 1000} seconds`;
    const rows = await sql<{
      id: string;
      run_id: string;
      kind: string;
      step_path: string;
      resume_at: Date;
      status: string;
      lease_owner: string | null;
      late_ms: number;
    }>`
      SELECT w.id, w.run_id, w.kind, w.step_path, w.resume_at, r.status, r.lease_owner,
             (extract(epoch from (now() - w.resume_at)) * 1000)::int AS late_ms
      FROM run_waits w JOIN runs r ON r.id = w.run_id
      WHERE w.status = 'open' AND w.resume_at < now() - ${slack}::interval
        AND r.status IN ('QUEUED', 'RUNNING', 'WAITING')
        AND (r.lease_owner IS NULL OR r.lease_expires_at < now() - ${slack}::interval)
        AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.data->>'runId' = r.id::text
                          AND (j.state = 'active' OR (j.state IN ('created', 'retry') AND j.start_after <= now())))`.execute(
      this.world.db,
    );
    for (const row of rows.rows) {
      this.once(`progress:${row.id}`, {
        invariant: '1 progress (sampled)',
        runId: row.run_id,
        message: `${row.kind} wait at ${row.step_path} was due ${row.late_ms} ms ago, but the run is ${row.status}, ${row.lease_owner ? `its lease (${row.lease_owner}) expired` : 'held by nobody'} and no job is queued for it`,
      });
    }
  }

  /** (5) Active runs per limited workflow, and QUEUED runs left beside a free slot. */
  async limits(): Promise<void> {
    const limited = this.workflows.filter((w) => w.maxConcurrentRuns !== null);
    if (limited.length === 0) return;
    const rows = await this.world.db
      .selectFrom('runs')
      .select('workflow_key')
      // A run paused while QUEUED holds no slot (runs.paused_from; admission counts the same way).
      .select(
        sql<number>`count(*) FILTER (WHERE status IN ('RUNNING', 'WAITING') OR (status = 'PAUSED' AND paused_from IS DISTINCT FROM 'QUEUED'))::int`.as(
          'active',
        ),
      )
      .select(sql<number>`count(*) FILTER (WHERE status = 'QUEUED' AND lease_owner IS NULL)::int`.as('queued'))
      .select(
        sql<
          string[]
        >`array_agg(id::text) FILTER (WHERE status IN ('RUNNING', 'WAITING') OR (status = 'PAUSED' AND paused_from IS DISTINCT FROM 'QUEUED'))`.as(
          'activeIds',
        ),
      )
      .where(
        'workflow_key',
        'in',
        limited.map((w) => w.key),
      )
      .groupBy('workflow_key')
      .execute();
    const now = Date.now();
    for (const row of rows) {
      const limit = limited.find((w) => w.key === row.workflow_key)!.maxConcurrentRuns!;
      const id = `limit:${row.workflow_key}:${[...(row.activeIds ?? [])].sort().join(',')}`;
      if (row.active > limit && !this.seen.has(id)) {
        this.once(id, {
          invariant: '5 maxConcurrentRuns',
          runId: row.activeIds?.[0] ?? null,
          message: `${row.workflow_key}: ${row.active} runs RUNNING/WAITING/PAUSED at once, limit ${limit}: ${await this.howTheyGotIn(row.activeIds ?? [])}`,
        });
      }
      if (row.active < limit && row.queued > 0) {
        const since = this.freeSince.get(row.workflow_key) ?? now;
        this.freeSince.set(row.workflow_key, since);
        if (now - since > 1_000 + ADMISSION_SLACK_MS) {
          this.once(`admission:${row.workflow_key}:${since}`, {
            invariant: '5 free slot filled',
            runId: null,
            message: `${row.workflow_key}: ${row.queued} run(s) held QUEUED for ${now - since} ms while only ${row.active} of ${limit} slots were taken`,
          });
        }
      } else {
        this.freeSince.delete(row.workflow_key);
      }
    }
  }

  /** How each of the active runs came to hold a slot: its status and lifecycle events. */
  private async howTheyGotIn(runIds: string[]): Promise<string> {
    const events = await this.world.db
      .selectFrom('run_events')
      .innerJoin('runs', 'runs.id', 'run_events.run_id')
      .select(['run_events.run_id', 'run_events.seq', 'run_events.type', 'run_events.data', 'runs.status'])
      .where('run_events.run_id', 'in', runIds)
      .where('run_events.type', 'in', ['run.started', 'run.paused', 'run.resumed', 'run.failed', 'run.canceled'])
      .orderBy('run_events.run_id')
      .orderBy('run_events.seq')
      .execute();
    return runIds
      .map((runId) => {
        const own = events.filter((e) => e.run_id === runId);
        const steps = own.map(
          (e) =>
            `${e.seq} ${e.type}${(e.data as { reason?: unknown }).reason === 'retried' ? ' (operator retry)' : (e.data as { by?: unknown }).by ? ' (operator)' : ''}`,
        );
        return `${runId} ${own[0]?.status ?? '?'} [${steps.join(', ')}]`;
      })
      .join('; ');
  }

  /** Forget admission episodes that a PostgreSQL outage interrupted. */
  resetAdmission(): void {
    this.freeSince.clear();
  }

  /** (7) A WAITING run inside a forEach window has min(concurrency, remaining) iterations open, on two samples in a row. */
  async forEachWindows(): Promise<void> {
    for (const workflow of this.workflows) {
      for (const window of workflow.forEachWindows) {
        const rows = await sql<{ run_id: string; updated_at: Date; path: string; status: string; attempt: number }>`
          SELECT s.run_id, r.updated_at, s.path, s.status, s.attempt
          FROM runs r JOIN run_steps s ON s.run_id = r.id
          WHERE r.workflow_key = ${workflow.key} AND r.status = 'WAITING' AND (r.lease_owner IS NULL OR r.lease_expires_at < now())
            AND (s.path = ${window.path} OR s.path LIKE ${`${window.path}#%`})`.execute(this.world.db);
        const byRun = new Map<string, typeof rows.rows>();
        for (const row of rows.rows) byRun.set(row.run_id, [...(byRun.get(row.run_id) ?? []), row]);
        for (const [runId, steps] of byRun) this.checkWindow(workflow, window, runId, steps);
      }
    }
  }

  private checkWindow(
    workflow: TGeneratedWorkflow,
    window: TGeneratedWorkflow['forEachWindows'][number],
    runId: string,
    steps: Array<{ updated_at: Date; path: string; status: string; attempt: number }>,
  ): void {
    const latest = new Map<string, { status: string; attempt: number }>();
    for (const step of steps) {
      const prior = latest.get(step.path);
      if (!prior || step.attempt > prior.attempt) latest.set(step.path, step);
    }
    // A block's own record is written when it ends: while there is none, the loop is going on.
    if (latest.has(window.path)) return;
    const open = new Set<number>();
    const done = new Set<number>();
    let failed = false;
    for (const [path, step] of latest) {
      const match = /#(\d+)\.config\.steps\[(\d+)\]$/.exec(path.slice(window.path.length));
      if (!match || !path.startsWith(`${window.path}#`)) continue;
      const index = Number(match[1]);
      if (step.status === 'RUNNING' || step.status === 'WAITING') open.add(index);
      if (step.status === 'FAILED' || step.status === 'CANCELED') failed = true;
      if (Number(match[2]) === window.lastStep && step.status === 'SUCCEEDED') done.add(index);
    }
    if (failed) return;
    const expected = Math.min(window.concurrency, window.items - done.size);
    const key = `${runId}:${window.path}`;
    const snapshot = `${steps[0]?.updated_at.getTime()}:${open.size}:${done.size}`;
    const previous = this.windowSamples.get(key);
    this.windowSamples.set(key, snapshot);
    if (open.size >= expected || previous !== snapshot) return;
    this.once(`window:${key}:${done.size}`, {
      invariant: '7 forEach window',
      runId,
      message: `${workflow.key} ${window.path}: concurrency ${window.concurrency}, ${window.items} items, ${done.size} done, but only ${open.size} in progress (iterations ${[...open].sort((a, b) => a - b).join(', ') || 'none'}) while the run waits`,
    });
  }
}
