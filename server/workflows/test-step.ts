import 'server-only';
import { z } from 'zod';
import { AppError } from '@/model/errors';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { runDry, type TDryEnvelope } from '@/server/runtime/dry-run/run-dry';
import { ZRunError } from '@/model/definition/envelope';
import { ZStepId, type TStep } from '@/model/definition/step';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { envelopeBeforeStep } from '@/server/workflows/envelope-before-step';
import { getVersion } from '@/server/workflows/get-version';
import { walkSteps } from '@/server/workflows/walk-steps';
import { ZVersionNumber } from '@/server/workflows/version-record';

/** A test gets at most this long, like a sync run start; a shorter run timeout (settings.timeoutMs) wins. */
export const TEST_STEP_LIMIT_MS = 30_000;

export const ZTestStepBody = z
  .object({
    /** The envelope to run on; `env` and `meta` come from the version (`meta.state` may be given). */
    envelope: z
      .object({
        payload: z.unknown().optional(),
        vars: z.record(z.unknown()).default({}),
        error: ZRunError.nullable().default(null),
        meta: z.object({ state: z.string().nullable().optional() }).optional(),
      })
      .strict()
      .optional(),
    /** Or: a recorded run of this workflow, whose envelope just before the step is used. */
    fromRun: z.string().uuid().optional(),
    /** Outside effects answered with `mocks[stepId]` (else null) instead of happening. */
    mockActions: z.boolean().default(true),
    mocks: z.record(ZStepId, z.unknown()).default({}),
  })
  .strict()
  .refine((body) => !(body.envelope && body.fromRun), {
    message: 'give either envelope or fromRun, not both',
    path: ['fromRun'],
  });
export type TTestStepBody = z.input<typeof ZTestStepBody>;

const ZStepRecord = z.object({
  stepId: z.string(),
  path: z.string(),
  type: z.string(),
  attempt: z.number().int(),
  status: z.string(),
  input: z.unknown(),
  output: z.unknown(),
  error: z.unknown(),
  durationMs: z.number().nullable(),
});

export const ZTestStepResult = z.object({
  status: z.enum(['SUCCEEDED', 'FAILED', 'WAITING']),
  /** The step's output (a block: its own output). */
  output: z.unknown(),
  /** The vars the step wrote, by path (`vars.total`), with their new values. */
  assigned: z.record(z.unknown()),
  error: ZRunError.nullable(),
  /** Every step record the test made: the step, and for a block everything inside it. */
  steps: z.array(ZStepRecord),
  logs: z.array(
    z.object({ level: z.string(), message: z.string(), data: z.unknown().optional(), stepId: z.string().nullable() }),
  ),
  /** What a step asked to wait for (an event, a task, a timer, a child run): described, never created. */
  waits: z.array(z.object({ stepId: z.string(), path: z.string(), wait: z.unknown() })),
  /** Action calls answered by a mock instead of made. */
  mocked: z.array(z.object({ stepId: z.string(), path: z.string(), action: z.string() })),
  /** Where the envelope came from; for a recorded run, the values its snapshot had redacted. */
  envelope: z.object({
    source: z.enum(['given', 'run', 'empty']),
    runId: z.string().optional(),
    afterStepId: z.string().nullable().optional(),
    redacted: z.array(z.string()),
  }),
});
export type TTestStepResult = z.infer<typeof ZTestStepResult>;

/**
 * Runs one step of a version (a leaf, or a block with everything inside it) on an envelope,
 * through the real interpreter, without writing a run (SPEC §9). Outside effects are mocked
 * unless `mockActions: false`; then they happen, each under its own `test:<uuid>` key.
 */
export async function testStep({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: { key: string; version: number | string; stepId: string; body: TTestStepBody };
}): Promise<TTestStepResult> {
  assertAllowed(ctx, 'workflow.write');
  const key = ZWorkflowKey.parse(input.key);
  const version = ZVersionNumber.parse(input.version);
  const body = ZTestStepBody.parse(input.body);
  const { document } = await getVersion({ db, ctx, input: { key, version } });
  let step: TStep | null = null;
  walkSteps(document.steps, (location) => {
    if (location.step.id === input.stepId) step ??= location.step;
  });
  if (!step) throw new AppError('NOT_FOUND', `Version ${version} of "${key}" has no step "${input.stepId}".`);
  const found: TStep = step;

  let envelope: TDryEnvelope = { payload: {}, vars: {}, error: null, state: null };
  let source: TTestStepResult['envelope'] = { source: 'empty', redacted: [] };
  if (body.envelope) {
    const given = body.envelope;
    envelope = { payload: given.payload ?? {}, vars: given.vars, error: given.error, state: given.meta?.state ?? null };
    source = { source: 'given', redacted: [] };
  } else if (body.fromRun) {
    const before = await envelopeBeforeStep({
      db,
      tenantId: ctx.tenantId,
      workflowKey: key,
      runId: body.fromRun,
      stepId: found.id,
    });
    envelope = before.envelope;
    source = { source: 'run', runId: body.fromRun, afterStepId: before.afterStepId, redacted: before.redacted };
  }

  if (!body.mockActions) {
    // Real outside effects with no run to show them: the audit log says who caused them. Written
    // before the step runs, so a process that dies during a call still leaves the record.
    const data = { version, stepId: found.id, mockActions: false };
    const entry = { action: 'workflow.step_tested', targetType: 'workflow', targetId: key, data };
    await recordAudit({ db, ctx, entry });
  }
  const limitMs = Math.min(TEST_STEP_LIMIT_MS, document.settings.timeoutMs ?? TEST_STEP_LIMIT_MS);
  const result = await runDry({
    db,
    tenantId: ctx.tenantId,
    workflowKey: key,
    version,
    document,
    steps: [found],
    envelope,
    signal: AbortSignal.timeout(limitMs),
    answerAction: ({ stepId }) =>
      body.mockActions ? { output: Object.hasOwn(body.mocks, stepId) ? body.mocks[stepId] : null } : null,
  });
  const own = result.steps.filter((record) => record.path === 'steps[0]').at(-1);
  return {
    status: result.status,
    output: own?.output ?? null,
    assigned: assignedVars(envelope.vars, result.vars),
    error: result.error,
    steps: result.steps.map(({ varsAfter: _varsAfter, ...record }) => record),
    logs: result.logs,
    waits: result.waits,
    mocked: result.answered,
    envelope: source,
  };
}

/** The top-level vars that changed, as `vars.<name>` → new value. */
function assignedVars(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(after)) {
    if (JSON.stringify(before[name]) !== JSON.stringify(value)) {
      Object.defineProperty(changed, `vars.${name}`, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return changed;
}
