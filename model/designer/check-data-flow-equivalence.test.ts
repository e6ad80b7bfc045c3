import { describe, expect, it } from 'vitest';
import { checkDataFlow as checkDataFlowBefore } from '@/bench/lib/check-data-flow-before';
import { computeExpressionScope as computeExpressionScopeBefore } from '@/bench/lib/expression-scope-before';
import { nestedDefinition } from '@/bench/lib/nested-definition';
import { stepFields, variedDefinition } from '@/bench/lib/varied-definition';
import { listActionTypes } from '@/server/runtime/registry/list-action-types';
import { listNodeTypes } from '@/server/runtime/registry/list-node-types';
import { checkDataFlow, type TDataFlowSchemas } from '@/model/designer/check-data-flow';
import { computeExpressionScope } from '@/model/designer/expression-scope';

const schemas: TDataFlowSchemas = {
  nodes: Object.fromEntries(listNodeTypes().map((node) => [node.type, node.outputSchema])),
  configs: Object.fromEntries(listNodeTypes().map((node) => [node.type, node.configSchema])),
  actions: Object.fromEntries(listActionTypes().map((action) => [action.ref, action.outputSchema])),
  inputs: Object.fromEntries(listActionTypes().map((action) => [action.ref, action.inputSchema])),
};

const SEEDS = Array.from({ length: 60 }, (_, index) => index + 1);

// The check used to compute each step's scope by walking the definition again (quadratic in
// steps); it now builds every scope in one walk. The old one is kept in bench/lib as the reference.
describe('the one-pass data flow check gives what the per-step one gave', () => {
  it('the same warnings, in the same order, on varied definitions (every block nested, disabled steps, continue on error)', () => {
    const messages = new Set<string>();
    for (const seed of SEEDS) {
      const definition = variedDefinition(seed, 10 + (seed % 5) * 10);
      const before = checkDataFlowBefore({ definition, schemas });
      expect(checkDataFlow({ definition, schemas }), `seed ${seed}`).toEqual(before);
      for (const problem of before) messages.add(problem.message);
    }
    // The definitions reach every kind of warning, so agreeing is not agreeing on nothing.
    const all = [...messages].join('\n');
    expect(all).toMatch(/^vars\.\S+ is not set by any step before this one$/m);
    expect(all).toMatch(/^meta\.nope is not a field of meta$/m);
    expect(all).toMatch(/^payload\.nope is not in the parameter schema$/m);
    expect(all).toMatch(/^env\.NOPE is not declared in env\.vars$/m);
    expect(all).toMatch(/^vars\.c\.x does not exist here \(vars\.c has /m);
    expect(all).toMatch(/^`error` is set only inside a catch/m);
    expect(all).toMatch(/, but the field takes /m);
    expect(all).toMatch(/^vars\.n is a number: it has no field deep$/m);
  });

  it('the same scope at every step, for the fields read inside a forEach or a parallel branch too', () => {
    for (const seed of SEEDS.slice(0, 25)) {
      const definition = variedDefinition(seed, 30);
      for (const { stepId, field } of stepFields(definition.steps ?? [])) {
        const args = { definition, stepId, field, outputSchemas: schemas };
        expect(computeExpressionScope(args), `seed ${seed} ${stepId} ${field ?? ''}`).toEqual(
          computeExpressionScopeBefore(args),
        );
      }
      const output = { definition, stepId: null, outputSchemas: schemas };
      expect(computeExpressionScope(output)).toEqual(computeExpressionScopeBefore(output));
    }
  });

  it('the same scope for a step that is not in the definition', () => {
    const definition = variedDefinition(7, 20);
    const args = { definition, stepId: 'nowhere', outputSchemas: schemas };
    expect(computeExpressionScope(args)).toEqual(computeExpressionScopeBefore(args));
  });

  it('the same warnings on a draft with malformed steps, now at the step’s own index (the old one counted only well-formed ones)', () => {
    const definition = variedDefinition(7, 20);
    const steps = [{ id: 3 }, ...(definition.steps ?? []), { type: 'log' }];
    const draft = { ...definition, steps } as never;
    const after = checkDataFlow({ definition: draft, schemas });
    const withoutPath = ({ path: _path, ...rest }: { path: string }) => rest;
    expect(after.map(withoutPath)).toEqual(checkDataFlowBefore({ definition: draft, schemas }).map(withoutPath));
    expect(after.length).toBeGreaterThan(0);
    for (const problem of after.filter((item) => item.stepId !== null)) {
      const index = Number(/^steps\[(\d+)\]/.exec(problem.path)?.[1]);
      expect(JSON.stringify(steps[index]), problem.path).toContain(`"id":"${problem.stepId}"`);
    }
  });

  it('the same warnings on the designer bench’s 300-step, 5-level definition with reads added', () => {
    const { steps } = nestedDefinition('equivalence');
    // Each leaf also reads a value an earlier step wrote and one no step writes.
    const reading = JSON.parse(
      JSON.stringify(steps).replace(/"\$string\((\d+)\)"/g, (_, n: string) => `"vars.v${Number(n) - 3} & vars.w${n}"`),
    ) as typeof steps;
    const definition = { steps: reading };
    const before = checkDataFlowBefore({ definition, schemas });
    expect(before.length).toBeGreaterThan(250);
    expect(checkDataFlow({ definition, schemas })).toEqual(before);
  });
});
