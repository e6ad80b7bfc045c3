import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { ZVarsPath } from '@/model/definition/vars-path';

export const ZTransformAssignConfig = z
  .object({
    /** `vars.path` → value (a literal or `{ "$expr": … }`), applied in order. */
    assign: z
      .record(ZVarsPath, z.unknown())
      .refine((value) => Object.keys(value).length > 0, 'assign at least one path'),
  })
  .strict();

export const transformAssign = defineNode('transform.assign', {
  configSchema: ZTransformAssignConfig,
  outputSchema: z.record(z.unknown()),
  async execute({ config, resolve }) {
    // Every value is computed from vars as they were before this step, then all are applied.
    const assign: Array<{ path: string; value: unknown }> = [];
    for (const [path, value] of Object.entries(config.assign))
      assign.push({ path, value: await resolve(value, `assign.${path}`) });
    const values = Object.fromEntries(assign.map((entry) => [entry.path, entry.value]));
    return { kind: 'next', input: values, output: values, assign };
  },
});
