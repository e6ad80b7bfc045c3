import 'server-only';
import type { Logger } from 'pino';
import { logRunEvent } from '@/server/logging/run-event-log';
import { v7 as timeOrderedUuid } from 'uuid';
import type { Db, Tx } from '@/server/db/database';
import type { TRunStatus } from '@/model/run-status';
import type { TExecution } from '@/server/runtime/execution/execution-state';
import { AppError } from '@/model/errors';
import { commitBatch } from '@/server/runtime/run-store/commit-batch';
import type {
  TBlockResultDraft,
  TEventDraft,
  TInvocationDraft,
  TRunPatch,
  TSnapshotDraft,
  TStepRecordDraft,
  TStepRecordPatch,
} from '@/server/runtime/run-store/commit-statement';
import type { TStagedArtifact } from '@/server/artifacts/artifact-stager';

export { RUN_EVENTS_CHANNEL, type TStepRecordDraft } from '@/server/runtime/run-store/commit-statement';

/** Thrown when a write finds that this worker no longer holds the run's lease. */
export class LeaseLostError extends AppError {
  constructor(runId: string) {
    super(
      'CONFLICT',
      `The lease on run ${runId} was lost to another worker; this worker's pending writes were discarded.`,
    );
  }
}

/**
 * Everything one worker writes for one run, buffered and committed at once under the lease
 * fence: a worker that lost the lease has every pending write rejected (commitBatch).
 * Pure steps accumulate; steps with outside effects flush first, so their RUNNING record is
 * durable before anything leaves the process.
 */
export class RunWriter {
  private inserts = new Map<string, TStepRecordDraft>();
  private updates = new Map<string, TStepRecordPatch>();
  private events: TEventDraft[] = [];
  private snapshots: TSnapshotDraft[] = [];
  private invocations: TInvocationDraft[] = [];
  private blockResults: TBlockResultDraft[] = [];
  private endedBlocks: string[] = [];
  private artifacts: TStagedArtifact[] = [];
  private patch: TRunPatch = {};
  private extras: Array<(tx: Tx) => Promise<void>> = [];
  private eventLocks: string[] = [];
  private admitNextOf: string | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** The last commit begun (its own promise: it rejects when that commit failed). */
  private latest: Promise<void> | null = null;
  /** The last commit was begun by flushAhead, and nothing flushed since. */
  private flushedAhead = false;
  /** What the first failed commit threw: every later one throws it too (see commit). */
  private failure: unknown = null;
  private releasing = false;
  /** After a commit that released the lease: the status the run was left in. */
  releasedAs: TRunStatus | null = null;
  /** This pass created a wait (createWait), so the run may have open work to close when it ends. */
  createdWaits = false;

  constructor(
    private readonly db: Db,
    private readonly run: { id: string; tenantId: string; fence: string },
    private readonly execution: () => TExecution,
    /** The run's logger (tenant, run and worker bound): each event is also a line of it (logRunEvent). */
    private readonly logger?: Logger,
  ) {}

  get pendingSteps(): number {
    return this.inserts.size + this.updates.size;
  }

  /** Bytes of artifacts waiting for the next commit: the interpreter writes them soon rather than carry them. */
  get pendingArtifactBytes(): number {
    return this.artifacts.reduce((sum, a) => sum + a.bytes.length, 0);
  }

  startStep(draft: Omit<TStepRecordDraft, 'id'>): string {
    // Time-ordered (UUIDv7): a record's id is the key of run_steps' and run_snapshots' primary
    // keys, and a random one put every step's two index entries on a random leaf page of
    // indexes as large as the history: a page read when it is not cached, and a full-page image
    // in the WAL for the first change of each page after every checkpoint. In time order they
    // go to the last pages, as the other history indexes' entries do.
    const id = timeOrderedUuid();
    this.inserts.set(id, { ...draft, id });
    return id;
  }

  finishStep(id: string, patch: TStepRecordPatch): void {
    const pending = this.inserts.get(id);
    if (pending) Object.assign(pending, patch);
    else this.updates.set(id, { ...this.updates.get(id), ...patch });
  }

  event(type: TEventDraft['type'], stepId: string | null, data: Record<string, unknown> = {}): void {
    this.events.push({ type, stepId, data, at: new Date() });
  }

  snapshot(draft: TSnapshotDraft): void {
    this.snapshots.push(draft);
  }

  /** A completed action invocation for the idempotency ledger, committed with its step. */
  invocation(draft: TInvocationDraft): void {
    this.invocations.push(draft);
  }

  /**
   * A forEach iteration ended: its result (or failure) is stored once, by the commit that also
   * saves the execution without it in `active` (both are queued in one synchronous stretch).
   */
  blockResult(draft: TBlockResultDraft): void {
    this.blockResults.push(draft);
  }

  /**
   * A forEach ended and its results were read back: its rows, and those of the forEach blocks
   * nested in its iterations (`<path>#…`), are deleted by the next commit. Rows still buffered
   * are dropped here, since the commit's DELETE cannot see what its own statement inserts.
   */
  endBlock(blockPath: string): void {
    const inside = `${blockPath}#`;
    this.blockResults = this.blockResults.filter((b) => b.blockPath !== blockPath && !b.blockPath.startsWith(inside));
    this.endedBlocks.push(blockPath);
  }

  /** A file a step returned (SPEC §11), committed with the step's result, or not at all. */
  artifact(staged: TStagedArtifact): void {
    this.artifacts.push(staged);
  }

  patchRun(patch: TRunPatch): void {
    Object.assign(this.patch, patch);
  }

  /**
   * Makes the next commit hand the run back: no lease owner. A run being left WAITING whose
   * wait was resolved meanwhile (`wake_requested`) is left RUNNING instead, for this worker
   * to carry on (commitBatch).
   */
  release(): void {
    this.releasing = true;
  }

  /** The run finished: the oldest run of the workflow held QUEUED by its limits gets a job. */
  admitNextQueued(workflowId: string): void {
    this.admitNextOf = workflowId;
  }

  /** The next commit takes this event-match lock first (an event wait is created in it). */
  lockEventMatch(key: string): void {
    this.eventLocks.push(key);
  }

  /** Extra writes (waits, tasks, jobs) that must commit with this batch. */
  also(write: (tx: Tx) => Promise<void>): void {
    this.extras.push(write);
  }

  /** Commits everything pending; calls are serialized, so concurrent branches never interleave a batch. */
  flush(): Promise<void> {
    const next = this.chain.then(() => this.commit());
    this.chain = next.catch(() => undefined);
    this.latest = next;
    this.flushedAhead = false;
    return next;
  }

  /**
   * Starts committing what is pending now, ahead of a step's call out: its RUNNING record and
   * the previous steps' results commit while the step resolves and checks its input, instead of
   * after. `flushBeforeEffect` waits for it; a failure (a lost lease) is thrown there, or met
   * again by the next commit's own fence check if the step ends before calling.
   */
  flushAhead(): void {
    this.flush().catch(() => undefined);
    this.flushedAhead = true;
  }

  /**
   * Right before an outside effect: everything written so far is committed. After `flushAhead`
   * with nothing written since, that commit is the one waited for; otherwise a new one is made.
   */
  flushBeforeEffect(): Promise<void> {
    if (this.flushedAhead && this.latest && this.isEmpty()) return this.latest;
    return this.flush();
  }

  private isEmpty(): boolean {
    return (
      this.inserts.size === 0 &&
      this.updates.size === 0 &&
      this.events.length === 0 &&
      this.snapshots.length === 0 &&
      this.invocations.length === 0 &&
      this.blockResults.length === 0 &&
      this.endedBlocks.length === 0 &&
      this.artifacts.length === 0 &&
      Object.keys(this.patch).length === 0 &&
      this.extras.length === 0 &&
      this.eventLocks.length === 0 &&
      !this.releasing &&
      this.admitNextOf === null
    );
  }

  private async commit(): Promise<void> {
    // A commit that failed took its writes with it (the buffers were emptied when it began), so
    // nothing later may commit as if they were stored: a later batch could update a step record
    // that was never inserted. The pass is lost; the run is recovered from what was committed.
    if (this.failure !== null) throw this.failure;
    const batch = {
      run: this.run,
      // Serialized now, with the buffers: concurrent lanes (forEach, parallel) keep moving while
      // the commit awaits, and a position written later than its step records could outlive
      // them in a crash.
      execution: JSON.stringify(this.execution()),
      inserts: [...this.inserts.values()],
      updates: [...this.updates.entries()],
      events: this.events,
      snapshots: this.snapshots,
      invocations: this.invocations,
      blockResults: this.blockResults,
      endedBlocks: this.endedBlocks,
      artifacts: this.artifacts,
      patch: this.patch,
      extras: this.extras,
      releasing: this.releasing,
      admitNextOf: this.admitNextOf,
      eventLocks: this.eventLocks,
    };
    this.inserts = new Map();
    this.updates = new Map();
    this.events = [];
    this.snapshots = [];
    this.invocations = [];
    this.blockResults = [];
    this.endedBlocks = [];
    this.artifacts = [];
    this.patch = {};
    this.extras = [];
    this.eventLocks = [];
    this.releasing = false;
    this.admitNextOf = null;
    let result: Awaited<ReturnType<typeof commitBatch>>;
    try {
      result = await commitBatch(this.db, batch);
    } catch (error) {
      this.failure = error;
      throw error;
    }
    if (!result) {
      this.failure = new LeaseLostError(this.run.id);
      throw this.failure;
    }
    if (batch.releasing) this.releasedAs = result.status;
    // Written once committed: a line never tells of an event a lost lease threw away.
    if (this.logger) for (const e of batch.events) logRunEvent(this.logger, e.type, e.stepId, e.data);
  }
}
