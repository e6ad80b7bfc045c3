import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';
import { ZPipe, ZStepId } from '@/model/definition/step';
import { ZVarsPath } from '@/model/definition/vars-path';

const ZBranch = z
  .object({
    /** The key of this branch's result in the saved object. */
    id: ZStepId,
    steps: ZPipe,
    /** Evaluated at the branch's end on its copy of vars; default: that copy of vars. */
    result: exprOr(z.unknown()).optional(),
  })
  .strict();

export const ZControlParallelConfig = z
  .object({
    branches: z
      .array(ZBranch)
      .min(1, 'add at least one branch')
      .max(20)
      .superRefine((branches, ctx) => {
        const seen = new Set<string>();
        branches.forEach((branch, index) => {
          if (seen.has(branch.id))
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [index, 'id'],
              message: `branch id "${branch.id}" is used twice`,
            });
          seen.add(branch.id);
        });
      }),
    saveAs: ZVarsPath.optional(),
  })
  .strict();

export const controlParallel = defineNode('control.parallel', {
  configSchema: ZControlParallelConfig,
  outputSchema: z.record(z.unknown()).describe('Branch id → that branch result'),
  async execute() {
    return { kind: 'block' };
  },
});
