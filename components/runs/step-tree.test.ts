import { describe, expect, it } from 'vitest';
import { buildStepTree, parentOf, statusByStepId, takenStepIds } from '@/components/runs/step-tree';
import type { TRunEventRecord } from '@/server/runs/list-run-events';
import type { TStepRecord } from '@/server/runs/list-run-steps';

let n = 0;
function record(path: string, stepId: string, status: TStepRecord['status'], attempt = 1, at = n++): TStepRecord {
  const startedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString();
  return {
    id: `r${n}`,
    runId: 'run',
    stepId,
    path,
    type: 't',
    attempt,
    status,
    input: null,
    output: null,
    error: null,
    startedAt,
    completedAt: status === 'RUNNING' || status === 'WAITING' ? null : startedAt,
    durationMs: 0,
  };
}
function event(seq: number, type: TRunEventRecord['type'], stepId: string | undefined, data: unknown): TRunEventRecord {
  return {
    seq,
    type,
    ...(stepId ? { stepId } : {}),
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    data,
  };
}

describe('step paths', () => {
  it('finds the block, pipe and forEach iteration a path sits in', () => {
    expect(parentOf('steps[0]')).toBeNull();
    expect(parentOf('steps[1].config.then[0]')).toEqual({ block: 'steps[1]', pipe: 'then', iteration: null });
    expect(parentOf('steps[1]#2.config.steps[0]')).toEqual({ block: 'steps[1]', pipe: 'steps', iteration: 2 });
    expect(parentOf('steps[1].config.cases[1].steps[3].config.try[0]')).toEqual({
      block: 'steps[1].config.cases[1].steps[3]',
      pipe: 'try',
      iteration: null,
    });
  });
});

describe('buildStepTree', () => {
  it('groups nested steps under their block and iterations, with attempts and a scheduled retry', () => {
    const records = [
      record('steps[0]', 'seed', 'SUCCEEDED'),
      record('steps[1]#1.config.steps[0]', 'work', 'SUCCEEDED'),
      record('steps[1]#0.config.steps[0]', 'work', 'FAILED', 1),
      record('steps[1]#0.config.steps[0]', 'work', 'FAILED', 2),
    ];
    const events = [
      event(1, 'step.started', 'loop', { path: 'steps[1]', type: 'control.forEach' }),
      event(2, 'step.retry_scheduled', 'work', {
        path: 'steps[1]#0.config.steps[0]',
        attempt: 2,
        nextAttempt: 3,
        at: '2026-01-01T01:00:00.000Z',
      }),
    ];
    const tree = buildStepTree(records, events);
    expect(tree.map((s) => s.stepId)).toEqual(['seed', 'loop']);
    const loop = tree[1]!;
    // The block has no record yet (blocks get theirs when they end): it is running.
    expect(loop).toMatchObject({ type: 'control.forEach', status: 'RUNNING', attempts: [] });
    expect(loop.groups.map((g) => [g.label, g.status])).toEqual([
      ['Item 1', 'FAILED'],
      ['Item 2', 'SUCCEEDED'],
    ]);
    const failing = loop.groups[0]!.steps[0]!;
    expect(failing.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(failing).toMatchObject({ status: 'FAILED', retryAt: '2026-01-01T01:00:00.000Z', completedAt: null });
  });

  it('names the steps a run took and the most telling status per step id', () => {
    const records = [
      record('steps[0]#0.config.steps[0]', 'work', 'SUCCEEDED'),
      record('steps[0]#1.config.steps[0]', 'work', 'FAILED'),
      record('steps[1]', 'skipped', 'SKIPPED'),
    ];
    expect(statusByStepId(records)).toEqual({ work: 'FAILED', skipped: 'SKIPPED' });
    expect(takenStepIds(records, [event(1, 'step.started', 'loop', { path: 'steps[0]' })]).sort()).toEqual([
      'loop',
      'work',
    ]);
  });
});

describe('a run that has ended', () => {
  it('ends the steps it cut short with it: a block with no record is canceled, not running', () => {
    const records = [record('steps[0].config.then[0]', 'ask', 'CANCELED')];
    const events = [event(1, 'step.started', 'check', { path: 'steps[0]', type: 'control.if' })];
    const open = buildStepTree(records, events);
    expect(open[0]).toMatchObject({ stepId: 'check', status: 'RUNNING', completedAt: null });
    const ended = buildStepTree(records, events, { status: 'CANCELED', completedAt: '2026-01-01T00:00:10.000Z' });
    expect(ended[0]).toMatchObject({ stepId: 'check', status: 'CANCELED', completedAt: '2026-01-01T00:00:10.000Z' });
    const running = buildStepTree(records, events, { status: 'RUNNING', completedAt: null });
    expect(running[0]).toMatchObject({ status: 'RUNNING' });
  });
});
