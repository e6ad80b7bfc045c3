import 'server-only';
import { z } from 'zod';
import { AppError } from '@/model/errors';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { runDry, type TDryStepRecord } from '@/server/runtime/dry-run/run-dry';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { getVersion } from '@/server/workflows/get-version';
import { ZVersionNumber } from '@/server/workflows/version-record';
import { TEST_STEP_LIMIT_MS } from '@/server/workflows/test-step';
import { snapshotTruncated, storedSnapshotColumn } from '@/server/runtime/run-store/stored-snapshot';

/** Runs per call (SPEC §9), and step records read per recorded run. */
export const MAX_REPLAY_RUNS = 50;
const MAX_RECORDED_STEPS = 2000;

export const ZReplayBody = z
  .object({
    runIds: z
      .array(z.string().uuid())
      .min(1, 'name at least one run')
      .max(MAX_REPLAY_RUNS, `at most ${MAX_REPLAY_RUNS} runs per call`)
      .refine((ids) => new Set(ids).size === ids.length, 'a run is named twice'),
  })
  .strict();

const ZSide = z.object({ status: z.string(), output: z.unknown(), varsWritten: z.record(z.unknown()) }).nullable();
const ZStepDiff = z.object({
  stepId: z.string(),
  /** What differs: `status`, `output`, `vars`; empty when the step did the same. */
  changes: z.array(z.enum(['status', 'output', 'vars', 'added', 'removed'])),
  recorded: ZSide,
  replayed: ZSide,
  /** An outside effect this run never recorded (a new step): answered with null. */
  mockedWithoutRecording: z.boolean(),
});
const ZRunReplay = z.object({
  runId: z.string(),
  version: z.number().int(),
  recorded: z.object({ status: z.string(), output: z.unknown() }),
  replayed: z.object({ status: z.string(), output: z.unknown(), error: z.unknown() }),
  outputChanged: z.boolean(),
  steps: z.array(ZStepDiff),
  /** Steps that waited with nothing recorded to answer them: the replay stopped there. */
  waitingAt: z.array(z.string()),
  truncated: z.boolean(),
});
export const ZReplayResult = z.object({ version: z.number().int(), runs: z.array(ZRunReplay) });
export type TReplayResult = z.infer<typeof ZReplayResult>;
type TRunReplay = z.infer<typeof ZRunReplay>;

/**
 * Replays a version (usually the draft) on recorded runs of its workflow (SPEC §9): each run's
 * input goes through the real interpreter with nothing written, every outside effect and wait
 * answered from that run's recorded step outputs by step id (in order, for steps that ran more
 * than once), and a step that did not exist then answered with null and flagged. Returns, per
 * run, the differences step by step and in the output.
 */
export async function replayVersion({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: { key: string; version: number | string; body: z.input<typeof ZReplayBody> };
}): Promise<TReplayResult> {
  assertAllowed(ctx, 'workflow.write');
  const key = ZWorkflowKey.parse(input.key);
  const version = ZVersionNumber.parse(input.version);
  const { runIds } = ZReplayBody.parse(input.body);
  const { document } = await getVersion({ db, ctx, input: { key, version } });
  const runs = await db
    .selectFrom('runs')
    .select(['id', 'version', 'status', 'input', 'output', 'state'])
    .where('tenant_id', '=', ctx.tenantId)
    .where('workflow_key', '=', key)
    .where('id', 'in', runIds)
    .execute();
  const missing = runIds.filter((id) => !runs.some((run) => run.id === id));
  if (missing.length > 0) throw new AppError('NOT_FOUND', `No run ${missing.join(', ')} of workflow "${key}".`);
  const limitMs = Math.min(TEST_STEP_LIMIT_MS, document.settings.timeoutMs ?? TEST_STEP_LIMIT_MS);
  const results: TRunReplay[] = [];
  // One at a time: each is a run's worth of work, and the web server has other requests.
  for (const id of runIds) {
    const run = runs.find((candidate) => candidate.id === id)!;
    const recorded = await readRecordedSteps(db, ctx.tenantId, id);
    const outputs = new Map<string, unknown[]>();
    for (const record of recorded.records) {
      if (record.status === 'SUCCEEDED')
        outputs.set(record.stepId, [...(outputs.get(record.stepId) ?? []), record.output]);
    }
    const unrecorded = new Set<string>();
    const next = (stepId: string): { output: unknown } | null => {
      const queue = outputs.get(stepId);
      if (!queue || queue.length === 0) return null;
      return { output: queue.shift() };
    };
    const result = await runDry({
      db,
      tenantId: ctx.tenantId,
      workflowKey: key,
      version,
      document,
      steps: document.steps,
      envelope: { payload: run.input, vars: {}, error: null, state: null },
      signal: AbortSignal.timeout(limitMs),
      resolveOutput: true,
      answerAction: ({ stepId }) => {
        const answer = next(stepId);
        if (answer) return answer;
        unrecorded.add(stepId);
        return { output: null };
      },
      answerWait: ({ stepId, wait }) => {
        const answer = next(stepId);
        if (!answer) return null;
        return { payload: wait.kind === 'child' ? { status: 'SUCCEEDED', output: answer.output } : answer.output };
      },
    });
    results.push({
      runId: id,
      version: run.version,
      recorded: { status: run.status, output: run.output ?? null },
      replayed: { status: result.status, output: result.output, error: result.error },
      outputChanged: !sameJson(run.output ?? null, result.output),
      steps: diffSteps(recorded.records, result.steps, unrecorded),
      waitingAt: result.waits.map((wait) => wait.stepId),
      truncated: recorded.truncated,
    });
  }
  return { version, runs: results };
}

type TRecordedStep = {
  stepId: string;
  type: string;
  status: string;
  output: unknown;
  varsAfter?: Record<string, unknown>;
};

/** A run's step records in the order they started, each with the vars its snapshot holds. */
async function readRecordedSteps(
  db: Db,
  tenantId: string,
  runId: string,
): Promise<{ records: TRecordedStep[]; truncated: boolean }> {
  const rows = await db
    .selectFrom('run_steps as r')
    .leftJoin('run_snapshots as s', 's.step_record_id', 'r.id')
    .select(['r.step_id', 'r.type', 'r.status', 'r.output', storedSnapshotColumn().as('snapshot'), snapshotTruncated()])
    .where('r.run_id', '=', runId)
    .where('r.tenant_id', '=', tenantId)
    .orderBy('r.started_at')
    .orderBy('r.id')
    .limit(MAX_RECORDED_STEPS + 1)
    .execute();
  const records = rows.slice(0, MAX_RECORDED_STEPS).map((row) => {
    const vars = row.snapshot && !row.truncated ? (row.snapshot as { vars?: Record<string, unknown> }).vars : undefined;
    return {
      stepId: row.step_id,
      type: row.type,
      status: row.status,
      output: row.output ?? null,
      ...(vars ? { varsAfter: vars } : {}),
    };
  });
  return { records, truncated: rows.length > MAX_RECORDED_STEPS };
}

/** Per step id (its last record on each side): what changed in status, output and the vars it wrote. */
function diffSteps(recorded: TRecordedStep[], replayed: TDryStepRecord[], unrecorded: Set<string>) {
  const sides = (records: Array<TRecordedStep | TDryStepRecord>) => {
    const byId = new Map<string, { status: string; output: unknown; varsWritten: Record<string, unknown> }>();
    let vars: Record<string, unknown> = {};
    for (const record of records) {
      // A block's record is written when it ends but ordered by when it began: what its steps
      // wrote is theirs, so blocks are compared on status and output only.
      if (record.type.startsWith('control.')) {
        byId.set(record.stepId, { status: record.status, output: record.output ?? null, varsWritten: {} });
        continue;
      }
      const after = record.varsAfter ?? vars;
      byId.set(record.stepId, {
        status: record.status,
        output: record.output ?? null,
        varsWritten: written(vars, after),
      });
      vars = after;
    }
    return byId;
  };
  const before = sides(recorded);
  const after = sides(replayed);
  const ids = [...new Set([...after.keys(), ...before.keys()])];
  return ids.map((stepId) => {
    const r = before.get(stepId) ?? null;
    const p = after.get(stepId) ?? null;
    const changes: Array<'status' | 'output' | 'vars' | 'added' | 'removed'> = [];
    if (!r) changes.push('added');
    else if (!p) changes.push('removed');
    else {
      if (r.status !== p.status) changes.push('status');
      if (!sameJson(r.output, p.output)) changes.push('output');
      if (!sameJson(r.varsWritten, p.varsWritten)) changes.push('vars');
    }
    return { stepId, changes, recorded: r, replayed: p, mockedWithoutRecording: unrecorded.has(stepId) };
  });
}

function written(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(after)) {
    if (!sameJson(before[name], value))
      Object.defineProperty(changed, `vars.${name}`, { value, enumerable: true, writable: true, configurable: true });
  }
  return changed;
}

/** Equal as JSON, whatever the key order (jsonb re-sorts keys). */
function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
