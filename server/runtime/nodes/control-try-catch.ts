import 'server-only';
import { z } from 'zod';
import { defineNode, noVars } from '@/server/runtime/nodes/node-descriptor';
import { ZRunError } from '@/model/definition/envelope';
import { ZPipe } from '@/model/definition/step';

export const ZControlTryCatchConfig = z
  .object({
    try: ZPipe,
    /** Runs with `error` set when a step in `try` fails; may be empty to swallow on purpose. */
    catch: ZPipe,
    /** Runs after `try` or `catch` either way, e.g. to release what `try` took. */
    finally: ZPipe.optional(),
  })
  .strict();

export const controlTryCatch = defineNode({
  type: 'control.tryCatch',
  title: 'Try / catch',
  description:
    'Runs the "try" pipe; if a step in it fails, runs the "catch" pipe with the error, then the "finally" pipe either way.',
  icon: 'shield-alert',
  category: 'flow',
  configSchema: ZControlTryCatchConfig,
  outputSchema: z.object({ error: ZRunError.nullable().describe('The caught error, or null when "try" succeeded') }),
  pipes: (config) => [
    { path: 'try', label: 'Try', steps: config.try },
    { path: 'catch', label: 'Catch', steps: config.catch },
    { path: 'finally', label: 'Finally', steps: config.finally ?? [] },
  ],
  writesVars: noVars,
  async execute() {
    return { kind: 'block' };
  },
});
