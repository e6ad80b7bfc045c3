import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';
import { ZVarsPath } from '@/model/definition/vars-path';
import { ZWorkflowKey } from '@/model/definition/version-document';

export const ZControlCallWorkflowConfig = z
  .object({
    /** A literal key, so publishing can check the target exists and that calls do not loop. */
    workflow: ZWorkflowKey,
    /** A pinned published version, or "latest" (the highest published when the child starts). */
    version: z.union([z.number().int().min(1), z.literal('latest')]).optional(),
    /** The child's input, validated against its parameterSchema when it starts. */
    input: exprOr(z.record(z.unknown())).default({}),
    saveAs: ZVarsPath.optional(),
  })
  .strict();

export const controlCallWorkflow = defineNode('control.callWorkflow', {
  configSchema: ZControlCallWorkflowConfig,
  outputSchema: z.unknown().describe("The child run's output"),
  async execute({ config, resolve }) {
    const input = await resolve(config.input, 'input');
    return {
      kind: 'wait',
      input: { workflow: config.workflow, version: config.version ?? 'latest', input },
      wait: { kind: 'child', workflow: config.workflow, version: config.version ?? 'latest', input },
    };
  },
  async resume({ config, outcome }) {
    const child =
      outcome.kind === 'resolved'
        ? (outcome.payload as { runId?: string; status?: string; output?: unknown; error?: unknown })
        : null;
    if (child?.status === 'SUCCEEDED')
      return {
        kind: 'next',
        output: child.output,
        assign: config.saveAs ? [{ path: config.saveAs, value: child.output }] : [],
      };
    return {
      kind: 'fail',
      error: {
        code: 'CHILD_FAILED',
        message: `The child run of "${config.workflow}" ended ${child?.status ?? 'without an answer'}`,
        details: child,
        retryable: false,
      },
    };
  },
});
