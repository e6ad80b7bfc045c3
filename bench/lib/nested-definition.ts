/** The big definition of the designer bench and e2e: 300 steps, nested 5 levels deep. */
type TBenchStep = { id: string; type: string; name: string; config: Record<string, unknown> };

/**
 * 10 groups of 30 steps: each a chain if → forEach → tryCatch → if → forEach with 5 leaves at every level.
 * `groups` and `tail` (leaves after the last group) make bigger ones: 33 groups and 10 leaves are 1,000 steps.
 */
export function nestedDefinition(
  key: string,
  { groups = 10, tail = 0 }: { groups?: number; tail?: number } = {},
): { key: string; name: string; steps: TBenchStep[] } {
  let n = 0;
  const leaf = (): TBenchStep => ({
    id: `s${++n}`,
    type: 'transform.assign',
    name: `Assign value number ${n} with a rather long descriptive name`,
    config: { assign: { [`vars.v${n}`]: { $expr: `$string(${n})` } } },
  });
  const leaves = () => Array.from({ length: 5 }, leaf);
  const level = (depth: number): TBenchStep => {
    const id = `b${++n}`;
    const inner = depth < 5 ? [...leaves(), level(depth + 1)] : leaves();
    switch (depth % 3) {
      case 1:
        return {
          id,
          type: 'control.if',
          name: `Check ${id}`,
          config: { condition: { $expr: 'true' }, then: inner, else: [] },
        };
      case 2:
        return { id, type: 'control.forEach', name: `Each ${id}`, config: { items: { $expr: '[1,2]' }, steps: inner } };
      default:
        return { id, type: 'control.tryCatch', name: `Guard ${id}`, config: { try: inner, catch: [] } };
    }
  };
  const steps = [...Array.from({ length: groups }, () => level(1)), ...Array.from({ length: tail }, leaf)];
  return { key, name: `Designer bench (${groups * 30 + tail} steps)`, steps };
}

/** The drag bench's baseline: 10 cards of the same kind, one block (four leaves, then an if with five inside). */
export function smallDefinition(key: string): { key: string; name: string; steps: TBenchStep[] } {
  const leaf = (id: string): TBenchStep => ({
    id,
    type: 'transform.assign',
    name: `Assign value ${id} with a rather long descriptive name`,
    config: { assign: { [`vars.${id}`]: { $expr: `"${id}"` } } },
  });
  const then = ['t1', 't2', 't3', 't4', 't5'].map(leaf);
  return {
    key,
    name: 'Designer bench (10 steps)',
    steps: [
      ...['s1', 's2', 's3', 's4'].map(leaf),
      { id: 'gate', type: 'control.if', name: 'Check gate', config: { condition: { $expr: 'true' }, then, else: [] } },
    ],
  };
}
