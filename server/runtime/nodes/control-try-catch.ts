import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
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

export const controlTryCatch = defineNode('control.tryCatch', {
  configSchema: ZControlTryCatchConfig,
  outputSchema: z.object({ error: ZRunError.nullable().describe('The caught error, or null when "try" succeeded') }),
  async execute() {
    return { kind: 'block' };
  },
});
