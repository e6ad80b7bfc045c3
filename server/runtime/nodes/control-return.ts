import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';

export const ZControlReturnConfig = z
  .object({
    /** The run's output; absent means null, like a version document without `output`. */
    output: exprOr(z.unknown()).optional(),
  })
  .strict();

export const controlReturn = defineNode('control.return', {
  configSchema: ZControlReturnConfig,
  outputSchema: z.unknown().describe("The run's output"),
  async execute({ config, resolve }) {
    return { kind: 'return', output: config.output === undefined ? null : await resolve(config.output, 'output') };
  },
});
