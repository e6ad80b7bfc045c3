import { describe, expect, it } from 'vitest';
import { step } from '@/server/runtime/nodes/__fixtures__/node-config-samples';
import { NODE_REGISTRY } from '@/server/runtime/nodes';
import type { TNodeType } from '@/model/nodes/node-shape';
import type { TNodeDescriptor } from '@/server/runtime/nodes/node-descriptor';
import { pipesOfConfig } from '@/model/nodes/nested-pipes';

/** Reads `cases[1].steps` out of a raw config, independently of the descriptors. */
function readPath(config: unknown, path: string): unknown {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].reduce<unknown>((value, match) => {
    const key = match[1] ?? Number(match[2]);
    return (value as Record<string | number, unknown> | undefined)?.[key];
  }, config);
}

function pipesAndVars(type: TNodeType, raw: unknown) {
  // Generic callers (validation, the interpreter) hold the widened descriptor type, as here.
  const descriptor: TNodeDescriptor = NODE_REGISTRY[type];
  const config = descriptor.configSchema.parse(raw);
  const pipes = pipesOfConfig(type, config).map(({ path, label, steps }) => ({
    path,
    label,
    steps: steps as Array<{ id: string }>,
  }));
  return { pipes, vars: descriptor.writesVars(config).map((write) => write.path) };
}

const cases: Array<{
  type: TNodeType;
  config: Record<string, unknown>;
  paths: string[];
  labels: string[];
  vars: string[];
}> = [
  {
    type: 'control.if',
    config: { condition: true, then: [step('a')], else: [step('b')] },
    paths: ['then', 'else'],
    labels: ['Then', 'Else'],
    vars: [],
  },
  {
    type: 'control.switch',
    config: {
      value: 'x',
      cases: [
        { when: 'a', steps: [step('a')] },
        { when: 'b', steps: [step('b'), step('c')] },
      ],
      default: [step('d')],
    },
    paths: ['cases[0].steps', 'cases[1].steps', 'default'],
    labels: ['Case "a"', 'Case "b"', 'Default'],
    vars: [],
  },
  {
    type: 'control.forEach',
    config: { items: [], steps: [step('a')], saveAs: 'vars.out' },
    paths: ['steps'],
    labels: ['For each item'],
    vars: ['vars.out'],
  },
  {
    type: 'control.parallel',
    config: {
      branches: [
        { id: 'left', steps: [step('a')] },
        { id: 'right', steps: [step('b')] },
      ],
      saveAs: 'vars.both',
    },
    paths: ['branches[0].steps', 'branches[1].steps'],
    labels: ['Branch left', 'Branch right'],
    vars: ['vars.both'],
  },
  {
    type: 'control.tryCatch',
    config: { try: [step('a')], catch: [step('b')], finally: [step('c')] },
    paths: ['try', 'catch', 'finally'],
    labels: ['Try', 'Catch', 'Finally'],
    vars: [],
  },
  {
    type: 'action.call',
    config: { action: 'core.echo', version: 1, input: {}, saveAs: 'vars.echo' },
    paths: [],
    labels: [],
    vars: ['vars.echo'],
  },
  {
    type: 'transform.assign',
    config: { assign: { 'vars.a': 1, 'vars.b[0]': 2 } },
    paths: [],
    labels: [],
    vars: ['vars.a', 'vars.b[0]'],
  },
  {
    type: 'human.task',
    config: {
      title: 'T',
      form: { type: 'object' },
      outcomes: ['ok'],
      assignee: { role: 'admin' },
      saveAs: 'vars.answer',
    },
    paths: [],
    labels: [],
    vars: ['vars.answer'],
  },
  { type: 'event.wait', config: { event: 'e', saveAs: 'vars.event' }, paths: [], labels: [], vars: ['vars.event'] },
  {
    type: 'control.callWorkflow',
    config: { workflow: 'child', input: {}, saveAs: 'vars.child' },
    paths: [],
    labels: [],
    vars: ['vars.child'],
  },
  { type: 'time.delay', config: { durationMs: 5 }, paths: [], labels: [], vars: [] },
];

describe('pipes() and writesVars()', () => {
  it.each(cases)('$type finds its nested pipes at the right paths', ({ type, config, paths, labels, vars }) => {
    const found = pipesAndVars(type, config);
    expect(found.pipes.map((pipe) => pipe.path)).toEqual(paths);
    expect(found.pipes.map((pipe) => pipe.label)).toEqual(labels);
    for (const pipe of found.pipes)
      expect(
        pipe.steps.map((s) => s.id),
        pipe.path,
      ).toEqual((readPath(config, pipe.path) as Array<{ id: string }>).map((s) => s.id));
    expect(found.vars).toEqual(vars);
  });

  it('lists optional pipes that are absent as empty, so the designer can offer a drop zone', () => {
    expect(pipesAndVars('control.if', { condition: true, then: [] }).pipes).toEqual([
      { path: 'then', label: 'Then', steps: [] },
      { path: 'else', label: 'Else', steps: [] },
    ]);
    expect(pipesAndVars('control.tryCatch', { try: [], catch: [] }).pipes.at(-1)).toEqual({
      path: 'finally',
      label: 'Finally',
      steps: [],
    });
    expect(pipesAndVars('control.switch', { value: 1, cases: [{ when: 1, steps: [] }] }).pipes.at(-1)).toEqual({
      path: 'default',
      label: 'Default',
      steps: [],
    });
  });

  it('writes no vars when saveAs is left out', () => {
    expect(pipesAndVars('action.call', { action: 'core.echo', version: 1 }).vars).toEqual([]);
    expect(pipesAndVars('control.forEach', { items: [], steps: [] }).vars).toEqual([]);
  });
});
