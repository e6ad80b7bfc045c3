import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '@/server/db/database';
import type { TStepStatus, TRunEventType, TRunStatus } from '@/server/runtime/run-status';
import type { TExecution } from '@/server/runtime/execution/execution-state';
import { AppError } from '@/server/errors';

export type TStepRecordDraft = {
  id: string;
  stepId: string;
  path: string;
  type: string;
  attempt: number;
  status: TStepStatus;
  input: unknown;
  output: unknown;
  error: unknown;
  startedAt: Date;
  completedAt: Date | null;
};

type TEventDraft = { type: TRunEventType; stepId: string | null; data: Record<string, unknown>; at: Date };
type TSnapshotDraft = { stepRecordId: string; path: string; snapshot: unknown; truncated: boolean; sizeBytes: number };
type TRunPatch = Partial<{ status: TRunStatus; state: string | null; output: unknown; error: unknown; startedAt: Date; completedAt: Date }>;

/** NOTIFY channel: payload `<runId>:<last seq>:<status>` after every commit that added events. */
export const RUN_EVENTS_CHANNEL = 'pipewright_run_events';

/** Thrown when a write finds that this worker no longer holds the run's lease. */
export class LeaseLostError extends AppError {
  constructor(runId: string) {
    super('CONFLICT', `The lease on run ${runId} was lost to another worker; this worker's pending writes were discarded.`);
  }
}

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/**
 * Everything one worker writes for one run, buffered and committed in one transaction that
 * names the lease fence: a worker that lost the lease has every pending write rejected.
 * Pure steps accumulate; steps with outside effects flush first, so their RUNNING record is
 * durable before anything leaves the process.
 */
export class RunWriter {
  private inserts = new Map<string, TStepRecordDraft>();
  private updates = new Map<string, Partial<TStepRecordDraft>>();
  private events: TEventDraft[] = [];
  private snapshots: TSnapshotDraft[] = [];
  private patch: TRunPatch = {};
  private extras: Array<(tx: Tx) => Promise<void>> = [];
  private chain: Promise<void> = Promise.resolve();
  private releasing = false;
  /** After a commit that released the lease: the status the run was left in. */
  releasedAs: TRunStatus | null = null;

  constructor(
    private readonly db: Db,
    private readonly run: { id: string; tenantId: string; fence: string },
    private readonly execution: () => TExecution,
  ) {}

  get pendingSteps(): number {
    return this.inserts.size + this.updates.size;
  }

  startStep(draft: Omit<TStepRecordDraft, 'id'>): string {
    const id = randomUUID();
    this.inserts.set(id, { ...draft, id });
    return id;
  }

  finishStep(id: string, patch: Pick<TStepRecordDraft, 'status'> & Partial<Pick<TStepRecordDraft, 'output' | 'error' | 'input' | 'completedAt'>>): void {
    const pending = this.inserts.get(id);
    if (pending) Object.assign(pending, patch);
    else this.updates.set(id, { ...this.updates.get(id), ...patch });
  }

  event(type: TRunEventType, stepId: string | null, data: Record<string, unknown> = {}): void {
    this.events.push({ type, stepId, data, at: new Date() });
  }

  snapshot(draft: TSnapshotDraft): void {
    this.snapshots.push(draft);
  }

  patchRun(patch: TRunPatch): void {
    Object.assign(this.patch, patch);
  }

  /**
   * Makes the next commit hand the run back: no lease owner. A run being left WAITING whose
   * wait was resolved meanwhile (`wake_requested`) is left RUNNING instead, for this worker
   * to carry on: the check and the release are one statement, the batch's last, under the
   * row lock the batch holds from its first write.
   */
  release(): void {
    this.releasing = true;
  }

  /** Extra writes (waits, tasks, ledger rows, jobs) that must commit with this batch. */
  also(write: (tx: Tx) => Promise<void>): void {
    this.extras.push(write);
  }

  /** Commits everything pending; calls are serialized, so concurrent branches never interleave a batch. */
  flush(): Promise<void> {
    const next = this.chain.then(() => this.commit());
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async commit(): Promise<void> {
    const inserts = [...this.inserts.values()];
    const updates = [...this.updates.entries()];
    const events = this.events;
    const snapshots = this.snapshots;
    const patch = this.patch;
    const extras = this.extras;
    this.inserts = new Map();
    this.updates = new Map();
    this.events = [];
    this.snapshots = [];
    this.patch = {};
    this.extras = [];
    const releasing = this.releasing;
    this.releasing = false;
    const succeeded = inserts.some((d) => d.status === 'SUCCEEDED') || updates.some(([, d]) => d.status === 'SUCCEEDED');
    // Serialized now, with the buffers: concurrent lanes (forEach, parallel) keep moving while
    // this transaction awaits, and a position written later than its step records could
    // outlive them in a crash.
    const execution = JSON.stringify(this.execution());
    await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('runs')
        .set({
          execution,
          event_seq: sql`event_seq + ${events.length}`,
          updated_at: sql`now()`,
          ...(patch.status && !releasing ? { status: patch.status } : {}),
          // Progress made: earlier crashes were not this run's fault (see claimRun's poison check).
          ...(succeeded ? { recoveries: 0 } : {}),
          ...('state' in patch ? { state: patch.state ?? null } : {}),
          ...('output' in patch ? { output: json(patch.output) } : {}),
          ...('error' in patch ? { error: json(patch.error) } : {}),
          ...(patch.startedAt ? { started_at: patch.startedAt } : {}),
          ...(patch.completedAt ? { completed_at: patch.completedAt } : {}),
        })
        .where('id', '=', this.run.id)
        .where('fence', '=', this.run.fence)
        .where('lease_owner', 'is not', null)
        .returning(['event_seq', 'status'])
        .executeTakeFirst();
      if (!row) throw new LeaseLostError(this.run.id);
      if (inserts.length) {
        await tx
          .insertInto('run_steps')
          .values(
            inserts.map((d) => ({
              id: d.id,
              run_id: this.run.id,
              tenant_id: this.run.tenantId,
              step_id: d.stepId,
              path: d.path,
              type: d.type,
              attempt: d.attempt,
              status: d.status,
              input: json(d.input),
              output: json(d.output),
              error: json(d.error),
              started_at: d.startedAt,
              completed_at: d.completedAt,
              duration_ms: d.completedAt ? d.completedAt.getTime() - d.startedAt.getTime() : null,
            })),
          )
          .execute();
      }
      for (const [id, d] of updates) {
        await tx
          .updateTable('run_steps')
          .set({
            status: d.status,
            ...('output' in d ? { output: json(d.output) } : {}),
            ...('error' in d ? { error: json(d.error) } : {}),
            ...('input' in d ? { input: json(d.input) } : {}),
            ...(d.completedAt ? { completed_at: d.completedAt, duration_ms: sql<number>`(extract(epoch from (${d.completedAt}::timestamptz - started_at)) * 1000)::int` } : {}),
          })
          .where('id', '=', id)
          .execute();
      }
      if (events.length) {
        const first = row.event_seq - events.length + 1;
        await tx
          .insertInto('run_events')
          .values(events.map((e, i) => ({ run_id: this.run.id, seq: first + i, tenant_id: this.run.tenantId, type: e.type, step_id: e.stepId, at: e.at, data: JSON.stringify(e.data) })))
          .execute();
      }
      if (snapshots.length) {
        await tx
          .insertInto('run_snapshots')
          .values(snapshots.map((s) => ({ step_record_id: s.stepRecordId, run_id: this.run.id, tenant_id: this.run.tenantId, path: s.path, snapshot: JSON.stringify(s.snapshot), truncated: s.truncated, size_bytes: s.sizeBytes })))
          .execute();
      }
      for (const extra of extras) await extra(tx);
      let status = row.status;
      if (releasing) {
        // After the extras, not with the first update: a wait created in this batch can be
        // resolved by it (an event.wait whose lookback finds a stored event sets
        // wake_requested), and that wake-up must not be lost. The row lock taken above is
        // held throughout, so a wake-up from another transaction still lands either before
        // this check or after the commit, when the run is WAITING and wakeRun handles it.
        const released = await tx
          .updateTable('runs')
          .set({
            // A pause asked for while the run was being suspended wins over a wake-up: the
            // resumed run finds its wait resolved.
            status: sql<TRunStatus>`CASE WHEN ${patch.status ?? 'WAITING'} = 'WAITING' AND pause_requested THEN 'PAUSED' WHEN wake_requested AND ${patch.status ?? 'WAITING'} = 'WAITING' THEN 'RUNNING' ELSE ${patch.status ?? 'WAITING'} END`,
            wake_requested: false,
            lease_owner: null,
            lease_expires_at: null,
          })
          .where('id', '=', this.run.id)
          .returning('status')
          .executeTakeFirstOrThrow();
        status = released.status;
        this.releasedAs = status;
      }
      // Live viewers (the SSE stream) and sync starts wait on this; it is sent at commit.
      if (events.length) await sql`SELECT pg_notify(${RUN_EVENTS_CHANNEL}, ${`${this.run.id}:${row.event_seq}:${status}`})`.execute(tx);
    });
  }
}
