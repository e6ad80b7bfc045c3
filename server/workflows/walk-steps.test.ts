import { describe, expect, it } from 'vitest';
import { walkSteps } from '@/server/workflows/walk-steps';
import { ZStep, type TStep } from '@/model/definition/step';

const echo = (id: string): TStep =>
  ZStep.parse({ id, type: 'transform.assign', config: { assign: { [`vars.${id}`]: 1 } } });

function locations(steps: unknown[]): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  walkSteps(steps as TStep[], (location) => out.push([location.step.id, location.path, location.pipe]));
  return out;
}

describe('walkSteps', () => {
  it('names each step by its place in the document, nested pipes included', () => {
    const steps = [
      echo('first'),
      { id: 'check', type: 'control.if', config: { condition: true, then: [echo('a'), echo('b')], else: [echo('c')] } },
    ];
    expect(locations(steps)).toEqual([
      ['first', 'steps[0]', 'steps'],
      ['check', 'steps[1]', 'steps'],
      ['a', 'steps[1].config.then[0]', 'check.then'],
      ['b', 'steps[1].config.then[1]', 'check.then'],
      ['c', 'steps[1].config.else[0]', 'check.else'],
    ]);
  });

  it('skips a nested step too malformed to parse without renumbering the steps after it', () => {
    // A draft may hold one (no id yet): the step after it is still the pipe's second, and a
    // path that said `then[0]` would point a diff or a problem at the malformed one.
    const steps = [
      { id: 'check', type: 'control.if', config: { condition: true, then: [{ type: 'transform.assign' }, echo('b')] } },
    ];
    expect(locations(steps)).toEqual([
      ['check', 'steps[0]', 'steps'],
      ['b', 'steps[0].config.then[1]', 'check.then'],
    ]);
  });
});
