import { describe, expect, it } from 'vitest';
import { pipeLabelOf, pipesOfConfig } from '@/model/nodes/nested-pipes';
import { isBlockType, NODE_SHAPES, nodeShapeOf } from '@/model/nodes/node-shapes';
import { NODE_TYPES } from '@/model/nodes/node-shape';

describe('node shapes', () => {
  it('has one shape per node type, filed under its own type', () => {
    expect(Object.keys(NODE_SHAPES).sort()).toEqual([...NODE_TYPES].sort());
    for (const type of NODE_TYPES) expect(NODE_SHAPES[type].type).toBe(type);
    expect(nodeShapeOf('nope.nothing')).toBeNull();
    expect(nodeShapeOf('toString')).toBeNull();
  });

  it('marks exactly the types with nested pipes as blocks', () => {
    for (const type of NODE_TYPES) expect(isBlockType(type), type).toBe(NODE_SHAPES[type].pipes.length > 0);
  });

  it('starts every block with its pipes present and empty', () => {
    for (const type of NODE_TYPES.filter(isBlockType)) {
      const pipes = pipesOfConfig(type, NODE_SHAPES[type].initialConfig());
      expect(pipes.length, type).toBeGreaterThan(0);
      for (const pipe of pipes) expect(pipe.steps, `${type} ${pipe.path}`).toEqual([]);
    }
    expect(NODE_SHAPES['action.call'].initialConfig({ id: 'http.request', version: 1 })).toEqual({
      action: 'http.request',
      version: 1,
      input: {},
    });
  });
});

describe('pipesOfConfig', () => {
  it('labels list pipes from their entries: a case by the value it matches, a branch by its id', () => {
    const config = {
      cases: [
        { when: 'gold', steps: [] },
        { when: 2, steps: [] },
      ],
      default: [],
    };
    expect(pipesOfConfig('control.switch', config).map((pipe) => pipe.label)).toEqual([
      'Case "gold"',
      'Case 2',
      'Default',
    ]);
    const parallel = { branches: [{ id: 'left', steps: [] }, { steps: [] }] };
    expect(pipesOfConfig('control.parallel', parallel).map((pipe) => pipe.label)).toEqual(['Branch left', 'Branch 2']);
  });

  it('reads half-written configs: an absent optional pipe is empty, a value that is not a list is null', () => {
    expect(pipesOfConfig('control.if', {})).toEqual([
      { path: 'then', label: 'Then', role: 'branch', steps: null },
      { path: 'else', label: 'Else', role: 'branch', steps: [] },
    ]);
    expect(pipesOfConfig('control.switch', { cases: 'oops' }).map((pipe) => pipe.path)).toEqual(['default']);
    expect(pipesOfConfig('control.parallel', { branches: [7] })).toEqual([
      { path: 'branches[0].steps', label: 'Branch 1', role: 'parallel', steps: null },
    ]);
    expect(pipesOfConfig('state.set', { state: 'x' })).toEqual([]);
    expect(pipesOfConfig('unknown.type', { then: [] })).toEqual([]);
  });
});

describe('pipeLabelOf', () => {
  it('names a pipe from its path alone, as a run timeline knows it', () => {
    expect(pipeLabelOf('control.switch', 'cases[1].steps')).toBe('Case 2');
    expect(pipeLabelOf('control.parallel', 'branches[0].steps')).toBe('Branch 1');
    expect(pipeLabelOf('control.tryCatch', 'finally')).toBe('Finally');
    expect(pipeLabelOf('control.if', 'then')).toBe('Then');
    expect(pipeLabelOf('control.if', 'nowhere')).toBe('nowhere');
  });
});
