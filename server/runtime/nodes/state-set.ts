import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';

export const ZStateSetConfig = z
  .object({
    /** Short, because run lists show it in a column and filter by it (`GET /runs?state=`). */
    state: exprOr(z.string().trim().min(1, 'give the state a name').max(100)),
  })
  .strict();

export const stateSet = defineNode('state.set', {
  configSchema: ZStateSetConfig,
  outputSchema: z.object({ state: z.string() }),
  async execute({ config, resolve }) {
    const state = await resolve(config.state, 'state');
    if (typeof state !== 'string' || state.trim() === '') {
      return {
        kind: 'fail',
        error: {
          code: 'VALIDATION',
          message: 'state: the expression must produce a non-empty string',
          retryable: false,
        },
      };
    }
    return { kind: 'next', input: { state }, output: { state }, state };
  },
});
