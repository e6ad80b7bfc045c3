import { describe, expect, it } from 'vitest';
import { NODE_CONFIG_SAMPLES } from '@/server/runtime/nodes/__fixtures__/node-config-samples';
import { NODE_TYPES } from '@/model/nodes/node-shape';
import { nestedPipesOf } from '@/server/runtime/nodes/nested-pipes';
import type { TStep } from '@/model/definition/step';
import { allStepIds, findStepTrail, getAtPath, nestedPipes, replaceStep, setAtPath } from '@/model/designer/step-tree';

describe('nestedPipes', () => {
  it.each(NODE_TYPES)('%s: finds the same pipes as the runtime registry', (type) => {
    for (const config of NODE_CONFIG_SAMPLES[type].valid) {
      const runtime = nestedPipesOf(type, config).map((pipe) => pipe.path);
      const designer = nestedPipes({ type, config }).map((pipe) => pipe.path);
      // The designer also lists optional pipes that are absent (an empty else), the runtime may not.
      expect(designer).toEqual(expect.arrayContaining(runtime));
      for (const path of designer.filter((p) => !runtime.includes(p)))
        expect(getAtPath(config, path) ?? []).toEqual([]);
    }
  });

  it('reads pipes from an incomplete draft config without throwing', () => {
    expect(nestedPipes({ type: 'control.switch', config: { cases: 'oops' } })).toEqual([
      { path: 'default', label: 'Default', role: 'branch', steps: [] },
    ]);
    expect(nestedPipes({ type: 'control.if', config: {} }).map((p) => p.steps)).toEqual([[], []]);
  });
});

const tree: TStep[] = [
  { id: 'a', type: 'state.set', config: { state: 'x' }, onError: 'fail', disabled: false },
  {
    id: 'sw',
    type: 'control.switch',
    onError: 'fail',
    disabled: false,
    config: {
      value: 1,
      cases: [
        { when: 1, steps: [{ id: 'b', type: 'state.set', config: { state: 'y' }, onError: 'fail', disabled: false }] },
      ],
    },
  },
];

describe('step tree helpers', () => {
  it('locates a nested step with the path validation uses and its ancestors', () => {
    const trail = findStepTrail(tree, 'b');
    expect(trail?.path).toBe('steps[1].config.cases[0].steps[0]');
    expect(trail?.ancestors.map((a) => [a.step.id, a.pipe.path])).toEqual([['sw', 'cases[0].steps']]);
    expect(findStepTrail(tree, 'missing')).toBeNull();
  });

  it('replaces a nested step immutably and leaves untouched branches shared', () => {
    const next = replaceStep(tree, 'b', { ...tree[0]!, id: 'b', config: { state: 'z' } });
    expect(getAtPath(next, '[1].config.cases[0].steps[0].config.state')).toBe('z');
    expect(next[0]).toBe(tree[0]);
    expect(getAtPath(tree, '[1].config.cases[0].steps[0].config.state')).toBe('y');
    expect(allStepIds(next)).toEqual(['a', 'sw', 'b']);
  });

  it('sets values at paths with dotted keys given as segments, and removes keys set to undefined', () => {
    expect(setAtPath({ assign: {} }, ['assign', 'vars.total'], 1)).toEqual({ assign: { 'vars.total': 1 } });
    expect(setAtPath({ a: 1, b: 2 }, 'a', undefined)).toEqual({ b: 2 });
    expect(setAtPath(undefined, 'list[1].x', true)).toEqual({ list: [undefined, { x: true }] });
  });
});
