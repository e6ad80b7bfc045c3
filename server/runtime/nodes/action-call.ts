import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';
import { ZVarsPath } from '@/model/definition/vars-path';

/** Dotted lowercase ids such as `http.request`; the registry decides which exist (checked at publish). */
export const ZActionId = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\.[a-z][A-Za-z0-9-]*)+$/, 'must be an action id such as http.request');

export const ZActionCallConfig = z
  .object({
    action: ZActionId,
    /** Pinned, so a newer action version never changes what a published workflow does. */
    version: z.number().int().min(1),
    /**
     * The action's input. Each value may be a literal, `{ "$expr": … }` or `{ "$secret": NAME }`
     * (secrets are resolved at call time only, never stored); the whole input may also be one
     * expression. It is checked against the action's input schema once resolved.
     */
    input: exprOr(z.record(z.unknown())).default({}),
    saveAs: ZVarsPath.optional(),
    /** Defaults to `runId:stepPath`; set it when the outside world must dedupe on a business key. */
    idempotencyKey: exprOr(z.string().min(1).max(255)).optional(),
  })
  .strict();

export const actionCall = defineNode('action.call', {
  configSchema: ZActionCallConfig,
  outputSchema: z.unknown().describe("The action's output, as its output schema describes it"),
  async execute({ config, resolve, resolveActionInput, callAction, envelope, path }) {
    const { input, recorded } = await resolveActionInput(config.input, 'input');
    // The default key is stable across retries and crashes: the same step of the same run.
    const key =
      config.idempotencyKey === undefined
        ? `${envelope.meta.runId}:${path}`
        : await resolve(config.idempotencyKey, 'idempotencyKey');
    // A computed key must be a real value: a missing field read as the text "undefined" would be
    // one key shared by every run lacking it, each handed the first one's stored output.
    if ((typeof key !== 'string' && typeof key !== 'number') || String(key).length === 0 || String(key).length > 255) {
      return {
        kind: 'fail',
        input: recorded,
        error: {
          code: 'VALIDATION',
          message: 'idempotencyKey: the expression must produce a non-empty string of at most 255 characters',
          retryable: false,
        },
      };
    }
    const idempotencyKey = String(key);
    const result = await callAction({ action: config.action, version: config.version, input, idempotencyKey });
    if ('error' in result) return { kind: 'fail', input: recorded, error: result.error };
    return {
      kind: 'next',
      input: recorded,
      output: result.output,
      assign: config.saveAs ? [{ path: config.saveAs, value: result.output }] : [],
    };
  },
});
