import 'server-only';
import { AppError } from '@/model/errors';
import { getActionDescriptor } from '@/server/runtime/actions';
import { getActionHandler } from '@/server/runtime/actions/handlers';
import { resolveConfigValue } from '@/server/runtime/expressions/resolve-config-value';
import { StepFailure, type TNodeExecuteArgs, type TStepError } from '@/server/runtime/nodes/node-result';
import { readSecretValue } from '@/server/secrets/read-secret-value';
import { basicAuthUsers, maskSecrets } from '@/server/runtime/interpreter/mask-secrets';
import { findUnstorableJson, MAX_JSON_DEPTH } from '@/server/db/storable-json';
import type { TStepToolsHost, TStepFrame } from '@/server/runtime/interpreter/run-types';
import { ledgerKey } from '@/server/runtime/run-store/ledger';
import { LeaseLostError } from '@/server/runtime/interpreter/run-writer';
import { ArtifactStager } from '@/server/artifacts/artifact-stager';
import { noteResolvedInput, parseActionInput, rememberParsedInput } from '@/server/runtime/actions/parsed-action-input';

/** Actions with no effect outside the run: their batch need not be written before they run. */
const PURE_ACTIONS = new Set(['core.echo@1']);

/** Whether a step of this type and config calls out of the process (its RUNNING record must be durable first). */
export function callsOutside(frame: Pick<TStepFrame, 'step' | 'config'>): boolean {
  if (frame.step.type !== 'action.call') return false;
  const { action, version } = frame.config as { action: string; version: number };
  return !PURE_ACTIONS.has(`${action}@${version}`);
}

type TStepTools = Pick<TNodeExecuteArgs<unknown>, 'resolve' | 'resolveActionInput' | 'callAction' | 'artifactStager'>;

/** Expression resolution, secret-aware action inputs and ledger-backed action calls for one step. */
export function createStepTools(
  interpreter: TStepToolsHost,
  frame: TStepFrame,
  attempt: number,
  signal: AbortSignal,
): TStepTools {
  const { db, writer, run, document, ledger } = interpreter.deps;
  const common = () => ({
    envelope: interpreter.envelope(frame, attempt),
    bindings: frame.bindings ? { item: frame.bindings.item, index: frame.bindings.index } : undefined,
    stepId: frame.step.id,
  });

  const readSecret = async (name: string): Promise<string> => {
    const tenantSecret = document.env.secrets[name];
    if (!tenantSecret) throw new AppError('VALIDATION', `Secret "${name}" is not declared in env.secrets.`);
    try {
      const value = await readSecretValue({ db, tenantId: run.tenantId, name: tenantSecret });
      interpreter.secrets.addSecret(value);
      return value;
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') {
        throw new StepFailure({
          code: 'SECRET_MISSING',
          message: `The tenant secret "${tenantSecret}" (env.secrets.${name}) does not exist.`,
          retryable: false,
        });
      }
      throw error;
    }
  };

  // Asked again by handlers right before their request is written: the lookup and connect in
  // between can take long, or the process can be frozen there.
  const assertLeaseHeld = () => {
    if (!interpreter.deps.leaseValid()) throw new LeaseLostError(run.id);
  };

  const artifactStager = () =>
    new ArtifactStager({
      db,
      tenantId: run.tenantId,
      runId: run.id,
      stepId: frame.step.id,
      stepPath: frame.path,
      dryRun: interpreter.deps.dryRun !== undefined,
      maskSecrets: (value) => maskSecrets(value, interpreter.secrets),
    });

  return {
    artifactStager,
    resolve: (value, at) => resolveConfigValue({ ...common(), value, path: `config.${at}` }),
    resolveActionInput: async (value, at) => {
      const input = await resolveConfigValue({ ...common(), value, path: `config.${at}`, resolveSecret: readSecret });
      // Nothing changes `input` before callAction parses it (action.call passes it straight on).
      noteResolvedInput(value, input);
      // A Basic credential pairs a user named in the config with a secret: base64(user:secret)
      // can come back in an echoed Authorization header and is masked from now on.
      for (const user of basicAuthUsers(input)) interpreter.secrets.addBasicUser(user);
      return { input, recorded: maskSecrets(input, interpreter.secrets) };
    },
    callAction: async ({ action, version, input, idempotencyKey: stepKey }) => {
      let idempotencyKey = stepKey;
      const ref = `${action}@${version}`;
      const descriptor = getActionDescriptor(action, version);
      const handler = getActionHandler(action, version);
      if (!descriptor || !handler)
        return {
          error: {
            code: 'ACTION',
            message: `Action ${ref} cannot run in this version of Pipewright.`,
            retryable: false,
          },
        };
      const parsed = parseActionInput(descriptor.inputSchema, input);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`)
          .join('; ');
        return { error: { code: 'VALIDATION', message: `Invalid input for ${ref}: ${issues}`, retryable: false } };
      }
      // A handler that parses its input again (http.request) skips a second parse of this value.
      rememberParsedInput(descriptor.inputSchema, parsed.data);
      if (interpreter.deps.mockActions && !PURE_ACTIONS.has(ref)) {
        // A test run with outside effects mocked: nothing leaves the process, nothing goes to the
        // ledger (a recovery mocks again, with the same answer), and the event log says why the
        // step has no real output.
        const message = `Mocked ${ref}: a test run with outside effects mocked; the action was not called.`;
        writer.event('log', frame.step.id, { level: 'info', message, data: { mocked: true, action: ref } });
        return { output: null };
      }
      const dryRun = interpreter.deps.dryRun;
      if (dryRun && !PURE_ACTIONS.has(ref)) {
        const answer = dryRun.answerAction({
          stepId: frame.step.id,
          path: frame.path,
          action,
          version,
          input: parsed.data,
        });
        if (answer) return { output: maskSecrets(answer.output, interpreter.secrets) };
        // A real call from a dry run: its own key, so it never meets a run's ledger entry.
        idempotencyKey = dryRun.idempotencyKey();
      }
      // A completed invocation with this key is never run again (SPEC §4.4).
      const done = await findCompletedInvocation({ interpreter, action, version, idempotencyKey });
      if (done) return { output: done.output };
      // The step's RUNNING record is durable before anything leaves the process.
      if (!PURE_ACTIONS.has(ref)) {
        // Usually begun by the interpreter as the step started (flushAhead): only waited for here.
        await writer.flushBeforeEffect();
        // Frozen between the flush and here past the lease, an operator may have taken the run.
        assertLeaseHeld();
      }
      const stager = artifactStager();
      const invocation = {
        stageArtifact: (draft: Parameters<ArtifactStager['stage']>[0]) => stager.stage(draft),
        db,
        tenantId: run.tenantId,
        runId: run.id,
        stepPath: frame.path,
        maskSecrets: (value: unknown) => maskSecrets(value, interpreter.secrets),
        addSecret: (value: string) => interpreter.secrets.addSecret(value),
        assertLeaseHeld,
      };
      const result = await handler({ input: parsed.data, signal, idempotencyKey, invocation });
      if ('output' in result) {
        // Checked before anything walks it (masking recurses) and before the ledger row is
        // queued: an output the commit cannot store would re-run the call on every recovery.
        // The rule of request bodies (64 levels, no NUL, no lone surrogate): an action's output
        // comes from outside the run, and silently rewriting it would hide the problem.
        // One level more for the action's own wrapper: http.request's { status, headers, body }
        // holds a response body that may nest as deep as a request body.
        const unstorable = findUnstorableJson(result.output, 'output', MAX_JSON_DEPTH + 1);
        if (unstorable)
          return {
            error: {
              code: 'VALIDATION',
              message: `Step "${frame.step.id}": ${unstorable.message}`,
              details: { path: unstorable.path },
              retryable: false,
            },
          };
        const output = maskSecrets(result.output, interpreter.secrets);
        // Committed with the step's SUCCEEDED record, in the same batch.
        writer.invocation({ action, version, idempotencyKey, stepPath: frame.path, output: output ?? null });
        // The files its output refers to commit with the ledger row that holds the references:
        // a call answered from the ledger later finds them stored.
        for (const staged of stager.staged) writer.artifact(staged);
        ledger.set(ledgerKey(action, version, idempotencyKey), output ?? null);
        return { output };
      }
      return { error: result.error as TStepError };
    },
  };
}

/**
 * The ledger entry for a key, if the invocation completed. A default key (`runId:stepPath`)
 * is answered from the entries read with the claim plus those recorded since; any other key
 * may have been used by another run, so it is looked up.
 */
async function findCompletedInvocation({
  interpreter,
  action,
  version,
  idempotencyKey,
}: {
  interpreter: TStepToolsHost;
  action: string;
  version: number;
  idempotencyKey: string;
}): Promise<{ output: unknown } | null> {
  const { db, run, ledger } = interpreter.deps;
  const key = ledgerKey(action, version, idempotencyKey);
  if (ledger.has(key)) return { output: ledger.get(key) };
  if (idempotencyKey.startsWith(`${run.id}:`)) return null;
  const row = await db
    .selectFrom('action_invocations')
    .select('output')
    .where('tenant_id', '=', run.tenantId)
    .where('action', '=', action)
    .where('version', '=', version)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  return row ? { output: row.output } : null;
}
