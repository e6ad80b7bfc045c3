import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';
import { ZPipe } from '@/model/definition/step';

export const ZControlIfConfig = z
  .object({
    condition: exprOr(z.boolean()),
    then: ZPipe,
    else: ZPipe.optional(),
  })
  .strict();

export const controlIf = defineNode('control.if', {
  configSchema: ZControlIfConfig,
  outputSchema: z.object({ branch: z.enum(['then', 'else']) }),
  async execute({ config, resolve }) {
    const branch = (await resolve(config.condition, 'condition')) ? 'then' : 'else';
    return { kind: 'branch', pipe: branch === 'else' && !config.else ? null : branch, output: { branch } };
  },
});
