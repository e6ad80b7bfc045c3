import 'server-only';
import type { TScriptAction } from '@/test/runtime-fixtures/fixture-format';
import type { TReplayFixture } from '@/server/runtime/execution/replay-fixtures/replay-fixture';

/**
 * How each replay fixture is made: run `workflows` on `input`, apply `before` (the run must then
 * be WAITING: that is the state saved), and after loading the saved rows apply `after`.
 */
export type TReplayRecipe = Pick<TReplayFixture, 'description' | 'workflows' | 'expect'> & {
  name: string;
  input: unknown;
  before: TScriptAction[];
  after: TScriptAction[];
  /** Save after one worker pass: a run waiting on a timer would otherwise be driven past it. */
  onePass?: true;
};

const approval = (id: string, saveAs: string) => ({
  id,
  type: 'human.task',
  config: {
    title: 'Approve',
    form: { type: 'object' },
    outcomes: ['approve', 'reject'],
    assignee: { role: 'admin' },
    saveAs,
  },
});
const answer = (stepId: string, outcome = 'approve'): TScriptAction => ({ answer: { stepId, outcome, data: {} } });

export const REPLAY_RECIPES: TReplayRecipe[] = [
  {
    name: 'for-each-task-concurrency',
    description:
      'forEach over 4 items at concurrency 2, each waiting on a task; saved with one task answered, two open',
    workflows: {
      'replay-for-each': {
        steps: [
          {
            id: 'each',
            type: 'control.forEach',
            config: {
              items: [1, 2, 3, 4],
              concurrency: 2,
              collect: { $expr: "{'item': $item, 'outcome': vars.answer.outcome}" },
              saveAs: 'vars.results',
              steps: [approval('approve', 'vars.answer')],
            },
          },
        ],
        output: { $expr: 'vars.results' },
      },
    },
    input: {},
    before: [answer('approve')],
    // Every answer the same: which open task the script answers first is not for it to decide.
    after: [answer('approve'), answer('approve'), answer('approve')],
    expect: {
      status: 'SUCCEEDED',
      output: [
        { item: 1, outcome: 'approve' },
        { item: 2, outcome: 'approve' },
        { item: 3, outcome: 'approve' },
        { item: 4, outcome: 'approve' },
      ],
      stepCounts: { each: { SUCCEEDED: 1 }, approve: { SUCCEEDED: 4 } },
    },
  },
  {
    name: 'for-each-continue-rows',
    description:
      'forEach over 4 items at concurrency 2, onItemError continue, each waiting on a task but the 2nd, which fails; saved with one item done and one failed (format 3: both are rows of run_block_results), two tasks open',
    workflows: {
      'replay-for-each-rows': {
        steps: [
          {
            id: 'each',
            type: 'control.forEach',
            config: {
              items: [1, 2, 3, 4],
              concurrency: 2,
              onItemError: 'continue',
              collect: { $expr: "{'item': $item, 'outcome': vars.answer.outcome}" },
              saveAs: 'vars.results',
              steps: [
                {
                  id: 'check',
                  type: 'control.if',
                  config: {
                    condition: { $expr: '$item = 2' },
                    then: [{ id: 'boom', type: 'control.fail', config: { code: 'BOOM', message: 'the second' } }],
                  },
                },
                approval('approve', 'vars.answer'),
              ],
            },
          },
        ],
        output: { $expr: 'vars.results' },
      },
    },
    input: {},
    before: [answer('approve')],
    after: [answer('approve'), answer('approve')],
    expect: {
      status: 'SUCCEEDED',
      output: [{ item: 1, outcome: 'approve' }, null, { item: 3, outcome: 'approve' }, { item: 4, outcome: 'approve' }],
      stepCounts: {
        each: { SUCCEEDED: 1 },
        check: { SUCCEEDED: 3, FAILED: 1 },
        boom: { FAILED: 1 },
        approve: { SUCCEEDED: 3 },
      },
    },
  },
  {
    name: 'parallel-waiting-branch',
    description: 'parallel with one branch done and one waiting on an event',
    workflows: {
      'replay-parallel': {
        steps: [
          {
            id: 'both',
            type: 'control.parallel',
            config: {
              saveAs: 'vars.both',
              branches: [
                {
                  id: 'quick',
                  steps: [{ id: 'mark', type: 'transform.assign', config: { assign: { 'vars.quick': true } } }],
                  result: { $expr: 'vars.quick' },
                },
                {
                  id: 'slow',
                  steps: [{ id: 'go', type: 'event.wait', config: { event: 'replay.go', saveAs: 'vars.go' } }],
                  result: { $expr: 'vars.go.n' },
                },
              ],
            },
          },
        ],
        output: { $expr: 'vars.both' },
      },
    },
    input: {},
    before: [],
    after: [{ deliver: { event: 'replay.go', correlationKey: null, payload: { n: 7 }, receivedMsAgo: 0 } }],
    expect: {
      status: 'SUCCEEDED',
      output: { quick: true, slow: 7 },
      stepCounts: { both: { SUCCEEDED: 1 }, mark: { SUCCEEDED: 1 }, go: { SUCCEEDED: 1 } },
    },
  },
  {
    name: 'try-catch-in-catch',
    description: 'tryCatch whose try failed, waiting on a task inside catch, with a finally to run',
    workflows: {
      'replay-try': {
        steps: [
          {
            id: 'guard',
            type: 'control.tryCatch',
            config: {
              try: [{ id: 'boom', type: 'control.fail', config: { code: 'BOOM', message: 'boom' } }],
              catch: [approval('decide', 'vars.decision')],
              finally: [{ id: 'cleanup', type: 'transform.assign', config: { assign: { 'vars.cleaned': true } } }],
            },
          },
        ],
        output: { $expr: "{'outcome': vars.decision.outcome, 'cleaned': vars.cleaned, 'caught': error.code}" },
      },
    },
    input: {},
    before: [],
    after: [answer('decide')],
    // `error` is back to what it was before the block once finally has run.
    expect: {
      status: 'SUCCEEDED',
      output: { outcome: 'approve', cleaned: true },
      stepCounts: { guard: { SUCCEEDED: 1 }, boom: { FAILED: 1 }, decide: { SUCCEEDED: 1 }, cleanup: { SUCCEEDED: 1 } },
    },
  },
  {
    name: 'retry-backoff-wait',
    description:
      'an http.request refused by a closed local port (a retryable network error), waiting out its retry backoff inside a forEach iteration',
    workflows: {
      'replay-retry': {
        steps: [
          {
            id: 'each',
            type: 'control.forEach',
            config: {
              items: ['a'],
              steps: [
                {
                  id: 'call',
                  type: 'action.call',
                  retry: { maxAttempts: 2, initialDelayMs: 600000, jitter: false },
                  config: { action: 'http.request', version: 1, input: { method: 'GET', url: 'http://127.0.0.1:9/' } },
                },
              ],
            },
          },
        ],
      },
    },
    input: {},
    before: [],
    after: [],
    onePass: true,
    // The backoff ends, attempt 2 meets the same closed port and the run fails.
    expect: { status: 'FAILED', error: { stepId: 'call' }, stepCounts: { each: { FAILED: 1 }, call: { FAILED: 2 } } },
  },
  {
    name: 'child-wait',
    description: 'a parent waiting on a child run that waits on an event',
    workflows: {
      'replay-parent': {
        steps: [
          {
            id: 'child',
            type: 'control.callWorkflow',
            config: { workflow: 'replay-child', input: { n: 2 }, saveAs: 'vars.child' },
          },
        ],
        output: { $expr: 'vars.child' },
      },
      'replay-child': {
        steps: [{ id: 'hold', type: 'event.wait', config: { event: 'replay.child', saveAs: 'vars.got' } }],
        output: { $expr: 'payload.n * vars.got.k' },
      },
    },
    input: {},
    before: [],
    after: [{ deliver: { event: 'replay.child', correlationKey: null, payload: { k: 21 }, receivedMsAgo: 0 } }],
    expect: { status: 'SUCCEEDED', output: 42, stepCounts: { child: { SUCCEEDED: 1 } } },
  },
];
