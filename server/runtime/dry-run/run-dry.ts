import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Db } from '@/server/db/database';
import { EXECUTION_FORMAT_VERSION, type TExecution } from '@/server/runtime/execution/execution-state';
import { resolveConfigValue } from '@/server/runtime/expressions/resolve-config-value';
import { RunInterpreter } from '@/server/runtime/interpreter/run-interpreter';
import type { TDryRun, TPipeOutcome } from '@/server/runtime/interpreter/run-types';
import type { TStepStatus } from '@/model/run-status';
import { ZLogLine, type TLogLine } from '@/model/log-levels';
import type { TRunError } from '@/model/definition/envelope';
import type { TStep } from '@/model/definition/step';
import type { TVersionDocument } from '@/model/definition/version-document';
import { DryRunWriter } from './dry-run-writer';

/** A step record of a dry run, as the API shows step records (SPEC §6.1), without ids. */
export type TDryStepRecord = {
  stepId: string;
  path: string;
  type: string;
  attempt: number;
  status: TStepStatus;
  input: unknown;
  output: unknown;
  error: unknown;
  durationMs: number | null;
  /** vars once the step was done (absent for a step that did not succeed). */
  varsAfter?: Record<string, unknown>;
};

export type TDryRunResult = {
  status: 'SUCCEEDED' | 'FAILED' | 'WAITING';
  /** What `control.return` returned, or (with `output`) the version's output; null otherwise. */
  output: unknown;
  vars: Record<string, unknown>;
  error: TRunError | null;
  steps: TDryStepRecord[];
  logs: Array<TLogLine & { stepId: string | null }>;
  waits: TDryRun['waits'];
  /** The action calls answered instead of made, by step. */
  answered: Array<{ stepId: string; path: string; action: string }>;
};

/** What a dry run starts from: the envelope's parts a definition cannot supply. */
export type TDryEnvelope = {
  payload: unknown;
  vars: Record<string, unknown>;
  error: TRunError | null;
  state: string | null;
};

/**
 * Interprets `steps` on an envelope without a run (SPEC §9: test a step, replay a draft): the
 * real interpreter and node types, a DryRunWriter that keeps everything in memory, waits
 * described rather than created, no retries, outside effects offered to `answerAction`.
 * `output` (the version's output) is resolved when the steps complete, as a run's would be.
 */
export async function runDry(args: {
  db: Db;
  tenantId: string;
  workflowKey: string;
  version: number;
  document: TVersionDocument;
  steps: TStep[];
  envelope: TDryEnvelope;
  answerAction: TDryRun['answerAction'];
  answerWait?: TDryRun['answerWait'];
  signal: AbortSignal;
  resolveOutput?: boolean;
}): Promise<TDryRunResult> {
  const runId = randomUUID();
  const writer = new DryRunWriter(args.db, runId, args.tenantId);
  const answered: TDryRunResult['answered'] = [];
  const dryRun: TDryRun = {
    answerAction: (call) => {
      const answer = args.answerAction(call);
      if (answer) answered.push({ stepId: call.stepId, path: call.path, action: `${call.action}@${call.version}` });
      return answer;
    },
    idempotencyKey: () => `test:${randomUUID()}`,
    ...(args.answerWait ? { answerWait: args.answerWait } : {}),
    waits: [],
  };
  const execution: TExecution = {
    formatVersion: EXECUTION_FORMAT_VERSION,
    scope: { vars: structuredClone(args.envelope.vars), error: args.envelope.error },
    cursor: { index: 0 },
    attempts: {},
  };
  const interpreter = new RunInterpreter({
    db: args.db,
    writer,
    run: {
      id: runId,
      tenantId: args.tenantId,
      workflowKey: args.workflowKey,
      version: args.version,
      startedAt: new Date().toISOString(),
      trigger: { type: 'manual' },
      input: args.envelope.payload,
    },
    document: { ...args.document, steps: args.steps },
    execution,
    state: args.envelope.state,
    signal: args.signal,
    pauseRequested: () => false,
    leaseValid: () => true,
    ledger: new Map(),
    dryRun,
  });
  let outcome: TPipeOutcome = await interpreter.run();
  if (outcome.kind === 'completed' && args.resolveOutput)
    outcome = await resolveOutput(interpreter, args.document.output);
  const vars = execution.scope.vars;
  const steps = [...writer.records.values()].map((record) => ({
    stepId: record.stepId,
    path: record.path,
    type: record.type,
    attempt: record.attempt,
    status: record.status,
    input: record.input,
    output: record.output,
    error: record.error,
    durationMs: record.completedAt ? record.completedAt.getTime() - record.startedAt.getTime() : null,
    ...(writer.varsAfter.has(record.id) ? { varsAfter: writer.varsAfter.get(record.id) } : {}),
  }));
  const logs = writer.logged.flatMap((event) => {
    const line = ZLogLine.safeParse(event.data);
    return event.type === 'log' && line.success ? [{ ...line.data, stepId: event.stepId }] : [];
  });
  const base = { vars, steps, logs, waits: dryRun.waits, answered };
  switch (outcome.kind) {
    case 'completed':
      return { ...base, status: 'SUCCEEDED', output: null, error: null };
    case 'returned':
      return { ...base, status: 'SUCCEEDED', output: outcome.output, error: null };
    case 'failed':
      return { ...base, status: 'FAILED', output: null, error: outcome.error };
    case 'suspended':
    case 'paused':
      return { ...base, status: 'WAITING', output: null, error: null };
    case 'canceled': {
      const error = {
        code: 'TIMEOUT',
        message: 'The dry run was stopped at its time limit',
        stepId: null,
        stepPath: null,
      };
      return { ...base, status: 'FAILED', output: null, error };
    }
  }
}

async function resolveOutput(interpreter: RunInterpreter, output: unknown): Promise<TPipeOutcome> {
  if (output === undefined) return { kind: 'returned', output: null };
  const frame = { step: { id: 'output' } as TStep, scope: interpreter.deps.execution.scope, path: 'output' };
  try {
    return {
      kind: 'returned',
      output: await resolveConfigValue({ value: output, envelope: interpreter.envelope(frame, 1), path: 'output' }),
    };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return { kind: 'failed', error: { code: 'EXPRESSION', message: error.message, stepId: null, stepPath: 'output' } };
  }
}
