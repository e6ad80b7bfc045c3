import { describe, expect, it } from 'vitest';
import { computeExpressionScope } from '@/model/designer/expression-scope';
import { sampleEnvelope } from '@/model/designer/sample-envelope';

describe('sampleEnvelope', () => {
  const definition = {
    parameterSchema: {
      type: 'object',
      properties: {
        amount: { type: 'number' },
        customer: { type: 'object', properties: { email: { type: 'string' } } },
        'odd name': { type: 'string' },
      },
    },
    env: { vars: { ERP_URL: 'https://erp.example.com' }, secrets: { ERP_TOKEN: 'erp' } },
    steps: [
      { id: 'init', type: 'transform.assign', config: { assign: { 'vars.total': 5, 'vars.meta': { ok: true } } } },
      {
        id: 'loop',
        type: 'control.forEach',
        config: {
          items: [1, 2],
          steps: [
            {
              id: 'x',
              type: 'control.tryCatch',
              config: { try: [], catch: [{ id: 'inside', type: 'state.set', config: { state: 'a' } }] },
            },
          ],
        },
      },
    ],
  };

  it('fills every offered name with an empty value of its type and keeps real env values', () => {
    const { sample, bindings } = sampleEnvelope(
      computeExpressionScope({ definition, stepId: 'loop' }),
      definition.env.vars,
    );
    expect(sample).toEqual({
      payload: { amount: 0, customer: { email: '' } },
      vars: { total: 0, meta: { ok: false } },
      env: { ERP_URL: 'https://erp.example.com' },
    });
    expect(bindings).toBeNull();
  });

  it('adds a sample error inside catch and $item/$index inside a forEach', () => {
    const { sample, bindings } = sampleEnvelope(computeExpressionScope({ definition, stepId: 'inside' }));
    expect(sample.error).toEqual({ code: 'HTTP', message: 'Sample error' });
    expect(bindings).toEqual({ item: null, index: 0 });
  });
});
