import { AppError } from '@/server/errors';
import { getActionDescriptor } from '@/server/runtime/actions';
import { getActionHandler } from '@/server/runtime/actions/handlers';
import { resolveConfigValue } from '@/server/runtime/expressions/resolve-config-value';
import { StepFailure, type TNodeExecuteArgs, type TStepError } from '@/server/runtime/nodes/node-result';
import { readSecretValue } from '@/server/secrets/read-secret-value';
import { maskSecrets } from '@/server/runtime/interpreter/mask-secrets';
import type { RunInterpreter } from '@/server/runtime/interpreter/run-interpreter';
import type { TStepFrame } from '@/server/runtime/interpreter/run-types';

/** Actions with no effect outside the run: their batch need not be written before they run. */
const PURE_ACTIONS = new Set(['core.echo@1']);

type TStepTools = Pick<TNodeExecuteArgs<unknown>, 'resolve' | 'resolveActionInput' | 'callAction'>;

/** Expression resolution, secret-aware action inputs and ledger-backed action calls for one step. */
export function createStepTools(interpreter: RunInterpreter, frame: TStepFrame, attempt: number, signal: AbortSignal): TStepTools {
  const { db, writer, run, document } = interpreter.deps;
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
      interpreter.secrets.add(value);
      return value;
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') {
        throw new StepFailure({ code: 'SECRET_MISSING', message: `The tenant secret "${tenantSecret}" (env.secrets.${name}) does not exist.`, retryable: false });
      }
      throw error;
    }
  };

  return {
    resolve: (value, at) => resolveConfigValue({ ...common(), value, path: `config.${at}` }),
    resolveActionInput: async (value, at) => {
      const input = await resolveConfigValue({ ...common(), value, path: `config.${at}`, resolveSecret: readSecret });
      return { input, recorded: maskSecrets(input, interpreter.secrets) };
    },
    callAction: async ({ action, version, input, idempotencyKey }) => {
      const ref = `${action}@${version}`;
      const descriptor = getActionDescriptor(action, version);
      const handler = getActionHandler(action, version);
      if (!descriptor || !handler) return { error: { code: 'ACTION', message: `Action ${ref} cannot run in this version of Pipewright.`, retryable: false } };
      const parsed = descriptor.inputSchema.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
        return { error: { code: 'VALIDATION', message: `Invalid input for ${ref}: ${issues}`, retryable: false } };
      }
      // A completed invocation with this key is never run again (SPEC §4.4).
      const done = await db
        .selectFrom('action_invocations')
        .select('output')
        .where('tenant_id', '=', run.tenantId)
        .where('action', '=', action)
        .where('version', '=', version)
        .where('idempotency_key', '=', idempotencyKey)
        .executeTakeFirst();
      if (done) return { output: done.output };
      // The step's RUNNING record is durable before anything leaves the process.
      if (!PURE_ACTIONS.has(ref)) await writer.flush();
      const invocation = { db, tenantId: run.tenantId, runId: run.id, stepPath: frame.path, maskSecrets: (value: unknown) => maskSecrets(value, interpreter.secrets) };
      const result = await handler({ input: parsed.data, signal, idempotencyKey, invocation });
      if ('output' in result) {
        const output = maskSecrets(result.output, interpreter.secrets);
        writer.also(async (tx) => {
          await tx
            .insertInto('action_invocations')
            .values({ tenant_id: run.tenantId, action, version, idempotency_key: idempotencyKey, run_id: run.id, step_path: frame.path, output: JSON.stringify(output ?? null) })
            .onConflict((oc) => oc.doNothing())
            .execute();
        });
        return { output };
      }
      return { error: result.error as TStepError };
    },
  };
}
