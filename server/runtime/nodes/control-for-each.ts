import 'server-only';
import { z } from 'zod';
import { toStorableJson } from '@/server/db/storable-json';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';
import { ZPipe } from '@/model/definition/step';
import { ZVarsPath } from '@/model/definition/vars-path';

/**
 * SPEC §7.8: a list longer than this fails with VALIDATION, literal (at publish) or computed
 * (when the step runs): every item's iteration state lives in the run's stored execution.
 */
export const MAX_FOR_EACH_ITEMS = 10_000;

export const ZControlForEachConfig = z
  .object({
    /** Usually an expression such as `payload.lines`; `$item` and `$index` are bound inside. */
    items: exprOr(z.array(z.unknown()).max(MAX_FOR_EACH_ITEMS)),
    steps: ZPipe,
    /** One at a time unless asked: iterations often call the same outside system. */
    concurrency: z.number().int().min(1).max(50).default(1),
    onItemError: z.enum(['fail', 'continue']).default('fail'),
    /** What each iteration contributes to the results, evaluated at its end; default: its vars. */
    collect: exprOr(z.unknown()).optional(),
    saveAs: ZVarsPath.optional(),
  })
  .strict();

export const controlForEach = defineNode('control.forEach', {
  configSchema: ZControlForEachConfig,
  outputSchema: z.array(z.unknown()).describe('One collected result per item, in item order'),
  async execute({ config, resolve }) {
    const items = await resolve(config.items, 'items');
    if (!Array.isArray(items))
      return {
        kind: 'fail',
        error: { code: 'VALIDATION', message: 'items: the expression must produce a list', retryable: false },
      };
    if (items.length > MAX_FOR_EACH_ITEMS) {
      return {
        kind: 'fail',
        error: {
          code: 'VALIDATION',
          message: `items: the list has ${items.length} entries; a forEach takes at most ${MAX_FOR_EACH_ITEMS}`,
          details: { count: items.length, max: MAX_FOR_EACH_ITEMS },
          retryable: false,
        },
      };
    }
    // The items are kept in the run's stored execution state, which a block result reaches
    // without a leaf step's settle: NUL or a lone surrogate in them failed every commit.
    const storable = toStorableJson(items, { root: 'items' });
    if (!storable.ok)
      return { kind: 'fail', error: { code: 'VALIDATION', message: storable.message, retryable: false } };
    return { kind: 'iterate', items: storable.value as unknown[] };
  },
});
