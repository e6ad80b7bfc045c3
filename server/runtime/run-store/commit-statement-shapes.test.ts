import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { commitStatement, type TBatch } from '@/server/runtime/run-store/commit-statement';

// The commit's text is compiled once per shape of batch and its parameters read from each batch
// (batch-parameter.ts). What PostgreSQL does with the text is tested against a database elsewhere
// (commit-statement.test.ts, the run store's and the interpreter's tests).

function durableStepBatch(fence = '7'): TBatch {
  const at = new Date();
  const finished = randomUUID();
  return {
    run: { id: randomUUID(), tenantId: randomUUID(), fence },
    execution: JSON.stringify({ cursor: { index: Math.random() } }),
    inserts: [
      {
        id: randomUUID(),
        stepId: 'next',
        path: 'next',
        type: 'action.call',
        attempt: 1,
        status: 'RUNNING',
        input: { url: randomUUID() },
        output: null,
        error: null,
        startedAt: at,
        completedAt: null,
      },
    ],
    updates: [[finished, { status: 'SUCCEEDED', output: { body: randomUUID() }, completedAt: at }]],
    events: [{ type: 'step.started', stepId: 'next', data: { path: 'next' }, at }],
    snapshots: [{ stepRecordId: finished, json: `{"vars":{"v":"${randomUUID()}"}}`, truncated: false, sizeBytes: 50 }],
    invocations: [{ action: 'http.request', version: 1, idempotencyKey: randomUUID(), stepPath: 'p', output: null }],
    blockResults: [],
    endedBlocks: [],
    artifacts: [],
    patch: {},
    extras: [],
    releasing: false,
    admitNextOf: null,
    eventLocks: [],
  };
}

const options = { releaseInline: false, notify: true, admitJobs: null };

it('sends each batch its own values under the text of its shape, compiled once', () => {
  const first = durableStepBatch('11');
  const second = durableStepBatch('12');
  const a = commitStatement(first, options);
  const b = commitStatement(second, options);
  expect(b.sql).toBe(a.sql);
  expect(b.parameters).toHaveLength(a.parameters.length);
  const text = (parameters: readonly unknown[]) => JSON.stringify(parameters);
  expect(b.parameters).toContain('12');
  expect(a.parameters).not.toContain('12');
  for (const value of [second.run.id, second.execution, second.snapshots[0]!.json]) {
    expect(text(b.parameters)).toContain(JSON.stringify(value).slice(1, -1));
    expect(text(a.parameters)).not.toContain(JSON.stringify(value).slice(1, -1));
  }
  expect(text(b.parameters)).toContain(second.updates[0]![0]);
  expect(text(b.parameters)).toContain(second.invocations[0]!.idempotencyKey);
});

it('gives another text to another shape: a finish, a release, one more record finished', () => {
  const base = commitStatement(durableStepBatch(), options).sql;
  const finishing = { ...durableStepBatch(), patch: { status: 'SUCCEEDED' as const, output: { ok: true } } };
  const released = { ...durableStepBatch(), releasing: true };
  const twoUpdates = durableStepBatch();
  twoUpdates.updates.push([randomUUID(), { status: 'FAILED', error: { code: 'X' } }]);
  const texts = [
    base,
    commitStatement(finishing, options).sql,
    commitStatement(finishing, { ...options, releaseInline: true }).sql,
    commitStatement(released, { ...options, releaseInline: true }).sql,
    commitStatement(twoUpdates, options).sql,
  ];
  expect(new Set(texts).size).toBe(texts.length);
  expect(commitStatement(finishing, { ...options, releaseInline: true }).parameters).toContain('SUCCEEDED');
});

it('still refuses, for a shape already compiled, a snapshot whose record is not in the batch', () => {
  commitStatement(durableStepBatch(), options);
  const orphan = durableStepBatch();
  orphan.snapshots = [{ stepRecordId: randomUUID(), json: '{}', truncated: false, sizeBytes: 2 }];
  expect(() => commitStatement(orphan, options)).toThrow(/without its record in the batch/);
});
