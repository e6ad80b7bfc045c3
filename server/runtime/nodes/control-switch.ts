import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';
import { ZPipe } from '@/model/definition/step';

/** Switch compares scalars: objects and arrays have no obvious equality for a person to predict. */
const ZScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ZControlSwitchConfig = z
  .object({
    value: exprOr(ZScalar),
    /** The first case whose `when` equals `value` runs; `when` may itself be computed. */
    cases: z
      .array(z.object({ when: exprOr(ZScalar), steps: ZPipe }).strict())
      .min(1, 'add at least one case')
      .max(50),
    default: ZPipe.optional(),
  })
  .strict();

export const controlSwitch = defineNode('control.switch', {
  configSchema: ZControlSwitchConfig,
  outputSchema: z.object({
    matched: z
      .union([z.number().int().min(0), z.literal('default'), z.null()])
      .describe('Index of the case that ran, "default", or null when nothing ran'),
  }),
  async execute({ config, resolve }) {
    const value = await resolve(config.value, 'value');
    for (const [index, entry] of config.cases.entries()) {
      if ((await resolve(entry.when, `cases[${index}].when`)) === value)
        return { kind: 'branch', pipe: `cases[${index}].steps`, output: { matched: index } };
    }
    return config.default
      ? { kind: 'branch', pipe: 'default', output: { matched: 'default' } }
      : { kind: 'branch', pipe: null, output: { matched: null } };
  },
});
