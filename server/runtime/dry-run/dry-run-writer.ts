import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Db } from '@/server/db/database';
import { RunWriter, type TStepRecordDraft } from '@/server/runtime/interpreter/run-writer';
import type { TStepRecordPatch, TEventDraft, TSnapshotDraft } from '@/server/runtime/run-store/commit-statement';
import { initialExecution } from '@/server/runtime/execution/execution-state';

/**
 * The writer of a run that is not one (test a step, replay a draft): the interpreter records
 * through it as usual, and it keeps the records and events in memory instead of committing
 * anything. Every method RunWriter has is overridden, so not one write can reach the database;
 * `flush` (which a step with an outside effect awaits first) has nothing to do.
 */
export class DryRunWriter extends RunWriter {
  readonly records = new Map<string, TStepRecordDraft>();
  readonly logged: TEventDraft[] = [];

  constructor(db: Db, runId: string, tenantId: string) {
    // The parent's buffers and commit are never used.
    super(db, { id: runId, tenantId, fence: '0' }, initialExecution);
  }

  override get pendingSteps(): number {
    return 0;
  }

  override startStep(draft: Omit<TStepRecordDraft, 'id'>): string {
    const id = randomUUID();
    this.records.set(id, { ...draft, id });
    return id;
  }

  override finishStep(id: string, patch: TStepRecordPatch): void {
    const record = this.records.get(id);
    if (record) Object.assign(record, patch);
  }

  override event(type: TEventDraft['type'], stepId: string | null, data: Record<string, unknown> = {}): void {
    this.logged.push({ type, stepId, data, at: new Date() });
  }

  /** The vars after each step, by record id (what a run's snapshot would hold, unredacted). */
  readonly varsAfter = new Map<string, Record<string, unknown>>();

  override snapshot(draft: TSnapshotDraft): void {
    const vars = (JSON.parse(draft.json) as { vars?: Record<string, unknown> } | null)?.vars;
    if (vars) this.varsAfter.set(draft.stepRecordId, vars);
  }
  override invocation(): void {}
  /** Never stored: a dry run's steps hold references with `id: null` (ArtifactStager). */
  override artifact(): void {}
  override get pendingArtifactBytes(): number {
    return 0;
  }
  override blockResult(): void {}
  override endBlock(): void {}
  override patchRun(): void {}
  override release(): void {}
  override admitNextQueued(): void {}
  override lockEventMatch(): void {}
  override also(): void {}

  override flush(): Promise<void> {
    return Promise.resolve();
  }
}
