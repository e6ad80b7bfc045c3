import { describe, expect, it } from 'vitest';
import { listActionTypes } from '@/server/runtime/registry/list-action-types';
import { listNodeTypes } from '@/server/runtime/registry/list-node-types';
import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { checkDataFlow, expectedTypesAt, lookupPath, type TDataFlowSchemas } from '@/model/designer/check-data-flow';
import { computeExpressionScope } from '@/model/designer/expression-scope';
import { expressionReads, expressionType, templateExpressions } from '@/model/designer/expression-reads';

const schemas: TDataFlowSchemas = {
  nodes: Object.fromEntries(listNodeTypes().map((node) => [node.type, node.outputSchema])),
  configs: Object.fromEntries(listNodeTypes().map((node) => [node.type, node.configSchema])),
  actions: Object.fromEntries(listActionTypes().map((action) => [action.ref, action.outputSchema])),
  inputs: Object.fromEntries(listActionTypes().map((action) => [action.ref, action.inputSchema])),
};

type TStep = NonNullable<TVersionDocumentInput['steps']>[number];

const parameterSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    amount: { type: 'number' },
    name: { type: 'string' },
    lines: { type: 'array', items: { type: 'object', properties: { price: { type: 'number' } } } },
  },
};
const assign = (id: string, assignments: Record<string, unknown>): TStep => ({
  id,
  type: 'transform.assign',
  config: { assign: assignments },
});
const log = (id: string, data: unknown): TStep => ({ id, type: 'log', config: { level: 'info', message: 'x', data } });
const check = (steps: TStep[], output?: unknown) =>
  checkDataFlow({ definition: { parameterSchema, steps, output }, schemas });
const typeAt = (steps: TStep[], stepId: string, path: string, field?: string) =>
  computeExpressionScope({ definition: { parameterSchema, steps }, stepId, field, outputSchemas: schemas }).find(
    (entry) => entry.path === path,
  );

describe('expressionReads', () => {
  it('finds the envelope paths an expression reads, not relative names inside filters or blocks', () => {
    const reads = expressionReads('$sum(vars.lines[price > 5].price) + payload.amount + $item.x + vars.a.(b + c)');
    expect(reads?.map((read) => read.segments.join('.'))).toEqual(['vars.lines', 'payload.amount', 'vars.a']);
  });

  it('reads backticked names and is null for a source that does not parse', () => {
    expect(expressionReads('payload.`odd name`')?.[0]?.segments).toEqual(['payload', 'odd name']);
    expect(expressionReads('vars.(')).toBeNull();
  });

  it('splits a template into its expressions, skipping an escaped \\{{', () => {
    expect(templateExpressions('Dear {{ payload.name }}, \\{{ not }} total {{ vars.total }}')).toEqual([
      { source: ' payload.name ', offset: 7 },
      { source: ' vars.total ', offset: 44 },
    ]);
  });
});

describe('types of vars paths at each step', () => {
  it('takes a saved action output’s type from the registry’s output schema', () => {
    const steps: TStep[] = [
      {
        id: 'fetch',
        type: 'action.call',
        config: { action: 'http.request', input: { url: 'http://x' }, saveAs: 'vars.res' },
      },
      log('after', 'x'),
    ];
    expect(typeAt(steps, 'after', 'vars.res')).toMatchObject({ type: 'object', maybe: false });
    expect(typeAt(steps, 'after', 'vars.res.status')).toMatchObject({ type: 'integer' });
    expect(typeAt(steps, 'fetch', 'vars.res')).toBeUndefined();
  });

  it('joins the types both branches of an if write, and keeps a path certain when both write it (bug 9)', () => {
    const steps: TStep[] = [
      {
        id: 'route',
        type: 'control.if',
        config: {
          condition: { $expr: 'true' },
          then: [assign('a', { 'vars.decision': 'yes' })],
          else: [assign('b', { 'vars.decision': 2 })],
        },
      },
      log('after', 'x'),
    ];
    expect(typeAt(steps, 'after', 'vars.decision')).toMatchObject({ type: 'string | number', maybe: false });
  });

  it('keeps what a forEach’s or parallel’s pipes write inside them, and gives their saveAs an array/object', () => {
    const steps: TStep[] = [
      {
        id: 'loop',
        type: 'control.forEach',
        config: {
          items: { $expr: 'payload.lines' },
          steps: [assign('inner', { 'vars.x': 1 }), log('in-loop', 'x')],
          saveAs: 'vars.results',
        },
      },
      {
        id: 'both',
        type: 'control.parallel',
        config: { branches: [{ id: 'left', steps: [assign('l', { 'vars.y': 1 })] }], saveAs: 'vars.par' },
      },
      log('after', 'x'),
    ];
    expect(typeAt(steps, 'in-loop', 'vars.x')).toMatchObject({ type: 'number' });
    expect(typeAt(steps, 'after', 'vars.x')).toBeUndefined();
    expect(typeAt(steps, 'after', 'vars.y')).toBeUndefined();
    expect(typeAt(steps, 'after', 'vars.results')).toMatchObject({ type: 'array' });
    expect(typeAt(steps, 'after', 'vars.par.left')).toBeDefined();
  });

  it('marks what a try block wrote as maybe in its catch, and offers error there only', () => {
    const steps: TStep[] = [
      {
        id: 'guard',
        type: 'control.tryCatch',
        config: { try: [assign('t', { 'vars.t': 'x' })], catch: [log('handle', 'x')], finally: [] },
      },
    ];
    expect(typeAt(steps, 'handle', 'vars.t')).toMatchObject({ type: 'string', maybe: true });
    expect(typeAt(steps, 'handle', 'error.code')).toMatchObject({ type: 'string' });
    expect(typeAt(steps, 't', 'error.code')).toBeUndefined();
  });
});

describe('expressionType', () => {
  it('types what the syntax says and leaves paths and unknown functions to the scope', () => {
    expect(expressionType('$sum(vars.lines.price) * 1.2')).toBe('number');
    expect(expressionType("'a' & payload.name")).toBe('string');
    expect(expressionType('payload.amount > 1000 and true')).toBe('boolean');
    expect(expressionType('{ "a": 1 }')).toBe('object');
    expect(expressionType('x ? 1 : "one"')).toBe('number | string');
    expect(expressionType('x ? 1')).toBeNull();
    expect(expressionType('vars.total')).toBeNull();
    expect(expressionType('$lookup(x, "k")')).toBeNull();
    expect(expressionType('(')).toBeNull();
  });

  it('types a var assigned from an expression, so a wrong-typed use of it is flagged', () => {
    const steps = [
      assign('sum', { 'vars.total': { $expr: '$sum(payload.lines.price)' }, 'vars.label': { $template: 'n={{ 1 }}' } }),
      { id: 'wait', type: 'time.delay', config: { durationMs: { $expr: 'vars.label' } } },
      { id: 'wait2', type: 'time.delay', config: { durationMs: { $expr: 'vars.total' } } },
    ];
    expect(typeAt(steps, 'wait', 'vars.total')).toMatchObject({ type: 'number' });
    expect(check(steps).map((problem) => problem.stepId)).toEqual(['wait']);
  });
});

describe('checkDataFlow', () => {
  it('warns about a vars path no earlier step sets, and not about one set before', () => {
    const problems = check([
      log('early', { $expr: 'vars.total' }),
      assign('sum', { 'vars.total': 3 }),
      log('late', { $expr: 'vars.total' }),
    ]);
    expect(problems).toEqual([
      {
        severity: 'warning',
        stepId: 'early',
        path: 'steps[0].config.data',
        message: 'vars.total is not set by any step before this one',
      },
    ]);
  });

  it('warns about a field under a scalar, an unknown payload, meta or env name, and error outside a catch', () => {
    const problems = check([
      assign('set', { 'vars.name': 'x' }),
      log('a', { $expr: 'vars.name.first & payload.nmae & meta.nope & env.NOPE & error.code' }),
    ]);
    expect(problems.map((problem) => problem.message)).toEqual([
      'vars.name is a string: it has no field first',
      'payload.nmae is not in the parameter schema',
      'meta.nope is not a field of meta',
      'env.NOPE is not declared in env.vars',
      '`error` is set only inside a catch or after a step that continues on error',
    ]);
    expect(problems.every((problem) => problem.severity === 'warning')).toBe(true);
  });

  it('does not flag what it cannot see: array items, open objects, maybe-set paths, relative names', () => {
    const problems = check([
      {
        id: 'fetch',
        type: 'action.call',
        config: { action: 'http.request', input: { url: 'http://x' }, saveAs: 'vars.res' },
      },
      {
        id: 'if',
        type: 'control.if',
        config: { condition: { $expr: 'true' }, then: [assign('only-then', { 'vars.maybe': 1 })], else: [] },
      },
      log('a', {
        $expr:
          'vars.res.body.anything & vars.res.headers.x & payload.lines.price & vars.maybe & payload.lines[price > 1].nope',
      }),
    ]);
    expect(problems).toEqual([]);
  });

  it('takes a payload field the schema does not name as possible unless the schema closes it', () => {
    const steps = [log('a', { $expr: 'payload.extra' })];
    const open = { type: 'object', properties: { amount: { type: 'number' } } };
    expect(checkDataFlow({ definition: { parameterSchema: open, steps }, schemas })).toEqual([]);
    expect(check(steps).map((problem) => problem.message)).toEqual(['payload.extra is not in the parameter schema']);
  });

  it('knows a parent of an assigned nested path is an object', () => {
    expect(check([assign('s', { 'vars.summary.day': 1 }), log('a', { $expr: 'vars.summary' })])).toEqual([]);
    expect(check([assign('s', { 'vars.log[0].what': 1 }), log('a', { $expr: 'vars.log' })])).toEqual([]);
  });

  it('warns about a missing key under what a step saved with known keys', () => {
    const problems = check([
      {
        id: 'fetch',
        type: 'action.call',
        config: { action: 'http.request', input: { url: 'http://x' }, saveAs: 'vars.res' },
      },
      log('a', { $expr: 'vars.res.statuss' }),
    ]);
    expect(problems.map((problem) => problem.message)).toEqual([
      'vars.res.statuss does not exist here (vars.res has body, bodyEncoding, headers, status)',
    ]);
  });

  it('warns when a single path or a template has the wrong type for its field', () => {
    const problems = check([
      assign('set', { 'vars.count': 'seven' }),
      { id: 'wait', type: 'time.delay', config: { durationMs: { $expr: 'vars.count' } } },
      { id: 'wait2', type: 'time.delay', config: { durationMs: { $template: '{{ payload.amount }}' } } },
      { id: 'wait3', type: 'time.delay', config: { durationMs: { $expr: 'payload.amount' } } },
    ]);
    expect(problems.map((problem) => [problem.stepId, problem.path, problem.message])).toEqual([
      ['wait', 'steps[1].config.durationMs', 'This gives a string, but the field takes integer'],
      ['wait2', 'steps[2].config.durationMs', 'A template gives a string, but the field takes integer'],
    ]);
  });

  it('reads templates part by part with each part’s offset, and checks the workflow output against the whole run', () => {
    const problems = check([assign('set', { 'vars.a': 1 })], { total: { $template: 'x {{ vars.a }} {{ vars.b }}' } });
    expect(problems).toEqual([
      {
        severity: 'warning',
        stepId: null,
        path: 'output.total',
        message: 'vars.b is not set by any step before this one',
        offset: 17,
      },
    ]);
  });

  it('reads a forEach’s collect inside the iteration, with what its pipe wrote', () => {
    const steps: TStep[] = [
      {
        id: 'loop',
        type: 'control.forEach',
        config: {
          items: { $expr: 'payload.lines' },
          steps: [assign('inner', { 'vars.x': 1 })],
          collect: { $expr: 'vars.x' },
        },
      },
    ];
    expect(check(steps)).toEqual([]);
  });
});

describe('expectedTypesAt', () => {
  it('finds the literal types of a field through properties, items and an expression anyOf', () => {
    const schema = {
      type: 'object',
      properties: {
        n: { anyOf: [{ $ref: '#/definitions/Expr' }, { type: 'number' }] },
        list: { type: 'array', items: { type: 'string' } },
        kind: { enum: ['a', 'b'] },
      },
    };
    expect(expectedTypesAt(schema, ['n'])).toEqual(['number']);
    expect(expectedTypesAt(schema, ['list', 0])).toEqual(['string']);
    expect(expectedTypesAt(schema, ['kind'])).toEqual(['string']);
    expect(expectedTypesAt(schema, ['other'])).toBeNull();
  });

  it('lookupPath treats the bare roots as known', () => {
    expect(lookupPath([], ['vars'])).toMatchObject({ kind: 'known' });
  });
});
