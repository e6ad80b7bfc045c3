import { describe, expect, it } from 'vitest';
import { layoutGraph, STEP_HEIGHT, STEP_WIDTH } from '@/components/workflow-graph/layout-graph';

const definition = {
  steps: [
    { id: 'start', type: 'transform.assign', config: {} },
    {
      id: 'check',
      type: 'control.if',
      config: {
        condition: true,
        then: [
          {
            id: 'loop',
            type: 'control.forEach',
            config: { items: [], steps: [{ id: 'each', type: 'action.call', config: {} }] },
          },
          { id: 'after', type: 'state.set', config: {} },
        ],
      },
    },
    { id: 'done', type: 'control.return', config: {} },
  ],
};

describe('layoutGraph', () => {
  it('lays pipes top to bottom with nested pipes inside their block, parents before children', () => {
    const { nodes, edges } = layoutGraph(definition);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(byId.get('start')).toMatchObject({
      type: 'step',
      width: STEP_WIDTH,
      height: STEP_HEIGHT,
      position: { y: 0 },
    });
    expect(byId.get('check')).toMatchObject({ type: 'block' });
    expect(byId.get('loop')).toMatchObject({ type: 'block', parentId: 'check' });
    expect(byId.get('each')).toMatchObject({ type: 'step', parentId: 'loop' });
    expect(byId.get('check/else:empty')).toMatchObject({ type: 'empty', parentId: 'check' });
    expect(nodes.filter((n) => n.type === 'pipeLabel').map((n) => n.data)).toEqual([
      { label: 'Then' },
      { label: 'For each item' },
      { label: 'Else' },
    ]);
    for (const node of nodes) {
      if (node.parentId) expect(nodes.findIndex((n) => n.id === node.parentId)).toBeLessThan(nodes.indexOf(node));
    }
    // Each step sits below the one before it, and a block is big enough to hold its children.
    expect(byId.get('check')!.position.y).toBeGreaterThan(STEP_HEIGHT);
    expect(byId.get('done')!.position.y).toBeGreaterThanOrEqual(
      byId.get('check')!.position.y + byId.get('check')!.height,
    );
    const loop = byId.get('loop')!;
    const each = byId.get('each')!;
    expect(each.position.x + each.width).toBeLessThanOrEqual(loop.width);
    expect(each.position.y + each.height).toBeLessThanOrEqual(loop.height);
    expect(edges.map((e) => e.id).sort()).toEqual(['check->done', 'loop->after', 'start->check']);
  });

  it('marks the path a run took and the edges along it', () => {
    const { nodes, edges } = layoutGraph(definition, {
      highlightedPath: ['start', 'check', 'loop', 'each', 'after'],
      stepStatuses: { after: 'FAILED' },
      selectedStepId: 'after',
    });
    const data = (id: string) =>
      nodes.find((n) => n.id === id)!.data as { taken: boolean | null; status: string | null; selected: boolean };
    expect(data('start').taken).toBe(true);
    expect(data('done').taken).toBe(false);
    expect(data('after')).toMatchObject({ status: 'FAILED', selected: true });
    expect(edges.find((e) => e.id === 'start->check')?.taken).toBe(true);
    expect(edges.find((e) => e.id === 'check->done')?.taken).toBe(false);
    expect(layoutGraph(definition).edges.every((e) => e.taken === null)).toBe(true);
  });

  it('draws a draft whose block config is still broken without nested pipes', () => {
    const { nodes } = layoutGraph({
      steps: [
        { id: 'sw', type: 'control.switch', config: { cases: 'oops' } },
        { id: 'p', type: 'control.parallel', config: { branches: [{ id: 'a', steps: 'nope' }] } },
      ],
    });
    expect(nodes.map((n) => [n.id, n.type])).toEqual([
      ['sw', 'step'],
      ['p', 'step'],
    ]);
  });
});
