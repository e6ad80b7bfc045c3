import 'server-only';
import { z } from 'zod';
import { defineNode, noVars } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';
import { ZPipe } from '@/model/definition/step';

export const ZControlIfConfig = z
  .object({
    condition: exprOr(z.boolean()),
    then: ZPipe,
    else: ZPipe.optional(),
  })
  .strict();

export const controlIf = defineNode({
  type: 'control.if',
  title: 'If / else',
  description: 'Runs the "then" pipe when the condition is true, else the "else" pipe.',
  icon: 'git-branch',
  category: 'flow',
  configSchema: ZControlIfConfig,
  outputSchema: z.object({ branch: z.enum(['then', 'else']) }),
  pipes: (config) => [
    { path: 'then', label: 'Then', steps: config.then },
    { path: 'else', label: 'Else', steps: config.else ?? [] },
  ],
  writesVars: noVars,
  async execute({ config, resolve }) {
    const branch = (await resolve(config.condition, 'condition')) ? 'then' : 'else';
    return { kind: 'branch', pipe: branch === 'else' && !config.else ? null : branch, output: { branch } };
  },
});
