import { pipesOfConfig } from '@/model/nodes/nested-pipes';
import { describe, expect, it } from 'vitest';
import { ACTION_REFS, actionRef } from '@/server/runtime/actions/action-descriptor';
import { NODE_REGISTRY, getNodeDescriptor } from '@/server/runtime/nodes';
import { NODE_TYPES } from '@/model/nodes/node-shape';
import type { TStep } from '@/model/definition/step';
import { ZVersionDocument } from '@/model/definition/version-document';
import type { TProblem } from '@/model/definition/problem';
import { validateDefinition } from '@/server/workflows/validation/validate-definition';
import {
  fixtureResolver as resolver,
  invalidFixtures,
  validFixtures,
} from '@/server/workflows/validation/validation-fixtures';

/** Order-insensitive: the validator promises every problem, not an order across passes. */
function sorted(problems: TProblem[]): TProblem[] {
  return [...problems].sort((a, b) => `${a.path}\u0000${a.message}`.localeCompare(`${b.path}\u0000${b.message}`));
}

/** Every step of a parsed pipe, nested ones included, found through each node's own pipes(). */
function allSteps(pipe: TStep[]): TStep[] {
  return pipe.flatMap((step) => {
    const descriptor = getNodeDescriptor(step.type);
    if (!descriptor) return [step];
    const config: unknown = descriptor.configSchema.parse(step.config);
    return [step, ...pipesOfConfig(step.type, config).flatMap((nested) => allSteps((nested.steps ?? []) as TStep[]))];
  });
}

describe('valid definitions', () => {
  it('are at least 15', () => {
    expect(validFixtures.length).toBeGreaterThanOrEqual(15);
  });

  it.each(validFixtures)('$name validates with no problems and round-trips', async ({ document }) => {
    const result = await validateDefinition({ document, resolver });
    expect(result.problems).toEqual([]);
    const parsed = ZVersionDocument.parse(document);
    expect(result.document).toEqual(parsed);
    expect(ZVersionDocument.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
  });

  it('together use every node type and every action', () => {
    const steps = validFixtures.flatMap(({ document }) => allSteps(ZVersionDocument.parse(document).steps));
    const types = new Set(steps.map((step) => step.type));
    expect(NODE_TYPES.filter((type) => !types.has(type))).toEqual([]);
    expect(Object.keys(NODE_REGISTRY).length).toBe(NODE_TYPES.length);
    const actions = new Set(
      steps
        .filter((step) => step.type === 'action.call')
        .map((step) => actionRef(String(step.config.action), Number(step.config.version))),
    );
    expect(ACTION_REFS.filter((ref) => !actions.has(ref))).toEqual([]);
  });
});

describe('invalid definitions', () => {
  it('are at least 30', () => {
    expect(invalidFixtures.length).toBeGreaterThanOrEqual(30);
  });

  it.each(invalidFixtures.map((fixture) => ({ ...fixture, title: `${fixture.name}: ${fixture.description}` })))(
    '$title',
    async ({ definition, problems }) => {
      const result = await validateDefinition({ document: definition, resolver });
      expect(sorted(result.problems)).toEqual(sorted(problems));
    },
  );
});
