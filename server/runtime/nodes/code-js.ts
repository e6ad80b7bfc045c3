import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { CODE_LIMITS } from '@/server/runtime/code/code-limits';
import { describeCodeFailure, runCode } from '@/server/runtime/code/run-code';
import { ZVarsPath } from '@/model/definition/vars-path';
import { stageCodeArtifacts } from '@/server/artifacts/code-artifacts';

export const ZCodeJsConfig = z
  .object({
    /** The body of `async function (input) { … }`; it returns JSON (or a promise of it). */
    source: z
      .string()
      .min(1, 'write the code')
      .max(CODE_LIMITS.maxSourceLength)
      .describe('JavaScript: the body of a function of `input` that returns a JSON value'),
    /** What `input` is; default: the envelope (payload, vars, env, meta, error), which holds no secrets. */
    input: z.unknown().optional(),
    timeoutMs: z.number().int().min(1).max(CODE_LIMITS.maxTimeoutMs).optional(),
    memoryMb: z.number().int().min(1).max(CODE_LIMITS.maxMemoryMb).optional(),
    saveAs: ZVarsPath.optional(),
  })
  .strict();

export const codeJs = defineNode('code.js', {
  configSchema: ZCodeJsConfig,
  outputSchema: z.unknown().describe('What the code returned'),
  async execute({ config, resolve, envelope, signal, step, artifactStager }) {
    const input = config.input === undefined ? envelope : await resolve(config.input, 'input');
    const outcome = await runCode({
      source: config.source,
      input,
      timeoutMs: config.timeoutMs,
      memoryMb: config.memoryMb,
      signal,
    });
    if (!outcome.ok) {
      const { failure } = outcome;
      const where = failure.line === undefined ? {} : { line: failure.line, column: failure.column };
      // Never retryable: the same code on the same input breaks the same way (SPEC §9).
      const error = {
        code: failure.code,
        message: `Step "${step.id}": ${describeCodeFailure(failure)}`,
        details: where,
        retryable: false,
      };
      return { kind: 'fail', error, logs: outcome.logs };
    }
    // Files returned as { $artifact: { name, contentType, text | base64 } } become references (SPEC §11).
    const stager = artifactStager();
    const value = await stageCodeArtifacts({ value: outcome.value, stager, stepId: step.id });
    const assign = config.saveAs ? [{ path: config.saveAs, value }] : [];
    return { kind: 'next', output: value, assign, logs: outcome.logs, artifacts: stager.staged };
  },
});
