import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listActionTypes } from '@/server/runtime/registry/list-action-types';
import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { computeExpressionScope, type TOutputSchemas, type TScopeEntry } from '@/model/designer/expression-scope';

const invoice = JSON.parse(
  readFileSync(
    new URL('../../server/workflows/validation/fixtures/valid/invoice-approval.json', import.meta.url),
    'utf8',
  ),
) as TVersionDocumentInput;
const outputSchemas: TOutputSchemas = {
  actions: Object.fromEntries(listActionTypes().map((a) => [a.ref, a.outputSchema])),
};

const paths = (entries: TScopeEntry[]) => entries.map((e) => e.path);
const entry = (entries: TScopeEntry[], path: string) => entries.find((e) => e.path === path);

describe('computeExpressionScope', () => {
  it('lists payload fields from the parameter schema, env names and meta', () => {
    const scope = computeExpressionScope({ definition: invoice, stepId: 'mark-received', outputSchemas });
    expect(paths(scope)).toEqual(
      expect.arrayContaining([
        'payload',
        'payload.invoiceId',
        'payload.amount',
        'payload.currency',
        'env.ERP_URL',
        'env.APPROVAL_LIMIT',
        'meta.runId',
        'meta.trigger.type',
      ]),
    );
    expect(entry(scope, 'payload.amount')).toMatchObject({ source: 'payload', type: 'number' });
    // Secrets are not readable by expressions: their names are not offered.
    expect(paths(scope)).not.toContain('env.ERP_TOKEN');
    // Nothing has run yet.
    expect(paths(scope).filter((p) => p.startsWith('vars.'))).toEqual([]);
  });

  it('offers what earlier steps saved, with nested keys from the action output schema, and nothing from later steps or the step itself', () => {
    const scope = computeExpressionScope({ definition: invoice, stepId: 'approve', outputSchemas });
    expect(entry(scope, 'vars.invoice')).toMatchObject({
      source: 'vars',
      maybe: false,
      detail: 'set by “Load the invoice from the ERP”',
    });
    expect(paths(scope)).toEqual(
      expect.arrayContaining(['vars.invoice.status', 'vars.invoice.headers', 'vars.invoice.body']),
    );
    expect(paths(scope)).not.toContain('vars.approval');
    expect(paths(scope)).not.toContain('vars.decision');
    expect(paths(scope)).not.toContain('error.code');
    expect(paths(scope)).not.toContain('$item');
  });

  it('includes a human task’s saveAs with its form fields for the steps after it', () => {
    const scope = computeExpressionScope({ definition: invoice, stepId: 'record-decision', outputSchemas });
    expect(paths(scope)).toEqual(
      expect.arrayContaining([
        'vars.approval',
        'vars.approval.outcome',
        'vars.approval.data.costCentre',
        'vars.approval.data.comment',
        'vars.approval.completedBy',
      ]),
    );
  });

  it('marks vars written only inside a branch as maybe after the block, and those both branches write as certain', () => {
    const scope = computeExpressionScope({ definition: invoice, stepId: 'post-approval', outputSchemas });
    // The human task's result exists only when approval was needed (the "then" branch).
    expect(entry(scope, 'vars.approval')).toMatchObject({ maybe: true });
    // Both branches of needs-approval set the decision (issue #18, bug 9).
    expect(entry(scope, 'vars.decision')).toMatchObject({ maybe: false });
    expect(entry(scope, 'vars.invoice')).toMatchObject({ maybe: false });
  });

  const blocks: TVersionDocumentInput = {
    key: 'blocks',
    name: 'Blocks',
    parameterSchema: {
      type: 'object',
      properties: {
        lines: {
          type: 'array',
          items: { type: 'object', properties: { sku: { type: 'string' }, 'unit price': { type: 'number' } } },
        },
      },
    },
    steps: [
      {
        id: 'init',
        type: 'transform.assign',
        config: { assign: { 'vars.totals': { count: 0, sum: { $expr: '0' } } } },
      },
      { id: 'off', type: 'transform.assign', disabled: true, config: { assign: { 'vars.never': 1 } } },
      {
        id: 'each',
        type: 'control.forEach',
        config: {
          items: { $expr: 'payload.lines' },
          steps: [
            {
              id: 'price',
              type: 'transform.assign',
              config: { assign: { 'vars.price': { $expr: '$item.`unit price`' } } },
            },
            { id: 'inner', type: 'state.set', config: { state: 'x' } },
          ],
          collect: { $expr: 'vars.price' },
          saveAs: 'vars.prices',
        },
      },
      {
        id: 'guard',
        type: 'control.tryCatch',
        config: {
          try: [
            {
              id: 'call',
              type: 'action.call',
              config: { action: 'core.echo', version: 1, input: {}, saveAs: 'vars.echoed' },
            },
          ],
          catch: [{ id: 'handle', type: 'state.set', config: { state: 'failed' } }],
          finally: [{ id: 'cleanup', type: 'transform.assign', config: { assign: { 'vars.done': true } } }],
        },
      },
      { id: 'risky', type: 'action.call', onError: 'continue', config: { action: 'core.echo', version: 1, input: {} } },
      { id: 'last', type: 'state.set', config: { state: 'end' } },
    ],
  };

  it('binds $item and $index inside a forEach, keeps the iteration’s vars inside it, and saves only saveAs outside', () => {
    const inner = computeExpressionScope({ definition: blocks, stepId: 'inner' });
    expect(paths(inner)).toEqual(
      expect.arrayContaining(['$item', '$index', 'vars.price', 'vars.totals', 'vars.totals.count', 'vars.totals.sum']),
    );
    expect(paths(inner)).not.toContain('vars.prices');
    expect(paths(inner)).not.toContain('vars.never');
    // Names that are not identifiers are quoted the JSONata way.
    expect(paths(inner)).toContain('payload.lines.`unit price`');

    const after = computeExpressionScope({ definition: blocks, stepId: 'last' });
    expect(paths(after)).toContain('vars.prices');
    expect(paths(after)).not.toContain('vars.price');
    expect(paths(after)).not.toContain('$item');
  });

  it('evaluates a forEach’s items outside the iteration and its collect inside it', () => {
    expect(paths(computeExpressionScope({ definition: blocks, stepId: 'each', field: 'items' }))).not.toContain(
      '$item',
    );
    const collect = computeExpressionScope({ definition: blocks, stepId: 'each', field: 'collect' });
    expect(paths(collect)).toEqual(expect.arrayContaining(['$item', '$index', 'vars.price']));
  });

  it('sets error inside catch only, with what try may have written', () => {
    const handle = computeExpressionScope({ definition: blocks, stepId: 'handle' });
    expect(entry(handle, 'error.code')).toMatchObject({ source: 'error', maybe: false });
    expect(entry(handle, 'vars.echoed')).toMatchObject({ maybe: true });
    const call = computeExpressionScope({ definition: blocks, stepId: 'call' });
    expect(paths(call)).not.toContain('error.code');
    const cleanup = computeExpressionScope({ definition: blocks, stepId: 'cleanup' });
    expect(paths(cleanup)).not.toContain('error.code');
    expect(entry(cleanup, 'vars.echoed')).toMatchObject({ maybe: true });
  });

  it('offers error after a step that continues on error, and finally’s writes as certain', () => {
    const last = computeExpressionScope({ definition: blocks, stepId: 'last' });
    expect(entry(last, 'error.message')).toMatchObject({ maybe: true });
    expect(entry(last, 'vars.done')).toMatchObject({ maybe: false });
    expect(entry(last, 'vars.echoed')).toMatchObject({ maybe: true });
  });

  it('for the workflow output (no step) lists everything the top-level pipe wrote; an unknown step gets the bare envelope', () => {
    expect(paths(computeExpressionScope({ definition: blocks, stepId: null }))).toEqual(
      expect.arrayContaining(['vars.prices', 'vars.done', 'vars.totals.count']),
    );
    const unknown = computeExpressionScope({ definition: blocks, stepId: 'nope' });
    expect(paths(unknown).filter((p) => p.startsWith('vars.'))).toEqual([]);
    expect(paths(unknown)).toContain('payload.lines');
  });
});

describe('what both branches write', () => {
  const set = (id: string, path: string) => ({ id, type: 'transform.assign', config: { assign: { [path]: 'x' } } });
  const definition = (elseSteps: unknown[] | undefined, defaultSteps?: unknown[]): TVersionDocumentInput =>
    ({
      key: 'branches',
      name: 'Branches',
      steps: [
        {
          id: 'check',
          type: 'control.if',
          config: { condition: true, then: [set('yes', 'vars.decision')], ...(elseSteps ? { else: elseSteps } : {}) },
        },
        {
          id: 'route',
          type: 'control.switch',
          config: {
            value: 1,
            cases: [{ when: 1, steps: [set('one', 'vars.route')] }],
            ...(defaultSteps ? { default: defaultSteps } : {}),
          },
        },
        { id: 'after', type: 'log', config: { message: 'done' } },
      ],
    }) as TVersionDocumentInput;

  it('is certain after an if when then and else both write it, and after a switch when every case and the default do', () => {
    const scope = computeExpressionScope({
      definition: definition([set('no', 'vars.decision')], [set('other', 'vars.route')]),
      stepId: 'after',
    });
    expect(entry(scope, 'vars.decision')).toMatchObject({ maybe: false });
    expect(entry(scope, 'vars.route')).toMatchObject({ maybe: false });
  });

  it('stays maybe when one way around writes nothing (no else, no default)', () => {
    const scope = computeExpressionScope({ definition: definition(undefined), stepId: 'after' });
    expect(entry(scope, 'vars.decision')).toMatchObject({ maybe: true });
    expect(entry(scope, 'vars.route')).toMatchObject({ maybe: true });
  });
});
