import 'server-only';
import type { TNodeType } from '@/model/nodes/node-shape';

/** A minimal nested step; its own config is checked by its type's schema, not by the parent's. */
export const step = (id: string, type = 'transform.assign') => ({ id, type, config: { assign: { 'vars.x': 1 } } });

type TNodeConfigSamples = {
  /** Configs that must parse. */
  valid: Record<string, unknown>[];
  /** [why, config, the path (formatIssuePath) of the field that is wrong]. */
  invalid: Array<[string, unknown, string]>;
};

/** Table of good and bad configs for every node type, shared by the zod and the JSON Schema tests. */
export const NODE_CONFIG_SAMPLES: Record<TNodeType, TNodeConfigSamples> = {
  'transform.assign': {
    valid: [{ assign: { 'vars.total': { $expr: 'payload.amount * 2' }, 'vars.lines[0].sku': 'A-1' } }],
    invalid: [
      ['no paths', { assign: {} }, 'assign'],
      ['a path outside vars', { assign: { total: 1 } }, 'assign.total'],
      ['an unknown key', { assign: { 'vars.a': 1 }, extra: true }, ''],
    ],
  },
  'state.set': {
    valid: [{ state: 'awaiting approval' }, { state: { $expr: "payload.amount > 1000 ? 'big' : 'small'" } }],
    invalid: [
      ['an empty state', { state: '' }, 'state'],
      ['no state', {}, 'state'],
      ['an empty expression', { state: { $expr: '' } }, 'state.$expr'],
    ],
  },
  'action.call': {
    valid: [
      {
        action: 'http.request',
        version: 1,
        input: { method: 'GET', url: { $expr: 'env.ERP_URL' }, headers: { authorization: { $secret: 'ERP_TOKEN' } } },
        saveAs: 'vars.response',
        idempotencyKey: { $expr: 'payload.invoiceId' },
      },
      { action: 'core.echo', version: 1, input: { $expr: 'payload' } },
    ],
    invalid: [
      ['version 0', { action: 'core.echo', version: 0, input: {} }, 'version'],
      ['a version as text', { action: 'core.echo', version: '1', input: {} }, 'version'],
      ['an id that is not dotted', { action: 'Echo', version: 1, input: {} }, 'action'],
      ['saveAs outside vars', { action: 'core.echo', version: 1, input: {}, saveAs: 'result' }, 'saveAs'],
      ['an input that is not an object', { action: 'core.echo', version: 1, input: 'hello' }, 'input'],
    ],
  },
  'event.wait': {
    valid: [
      {
        event: 'invoice.paid',
        correlationKey: { $expr: 'payload.invoiceId' },
        timeoutMs: 86_400_000,
        lookbackMs: 60_000,
        saveAs: 'vars.paid',
        onTimeout: 'continue',
      },
      { event: 'invoice.paid' },
    ],
    invalid: [
      ['an unknown onTimeout', { event: 'x', onTimeout: 'retry' }, 'onTimeout'],
      ['no event name', { event: '' }, 'event'],
      ['a negative lookback', { event: 'x', lookbackMs: -1 }, 'lookbackMs'],
      ['a fractional timeout', { event: 'x', timeoutMs: 1.5 }, 'timeoutMs'],
    ],
  },
  'human.task': {
    valid: [
      {
        title: 'Approve invoice',
        form: { type: 'object', properties: { comment: { type: 'string' } } },
        outcomes: ['approve', 'reject'],
        assignee: { role: 'editor' },
        timeoutMs: 3_600_000,
        saveAs: 'vars.decision',
      },
      {
        title: { $expr: "'Approve ' & payload.invoiceId" },
        description: 'Check the amount',
        form: { type: 'object' },
        outcomes: ['ok'],
        assignee: { user: 'manager@example.com' },
      },
      {
        title: 'Approve',
        form: { type: 'object' },
        outcomes: ['ok'],
        assignee: { user: { $expr: 'payload.requester' } },
      },
    ],
    invalid: [
      ['no outcomes', { title: 'T', form: { type: 'object' }, outcomes: [], assignee: { role: 'admin' } }, 'outcomes'],
      [
        'a repeated outcome',
        { title: 'T', form: { type: 'object' }, outcomes: ['yes', 'yes'], assignee: { role: 'admin' } },
        'outcomes[1]',
      ],
      [
        'an unknown role',
        { title: 'T', form: { type: 'object' }, outcomes: ['ok'], assignee: { role: 'boss' } },
        'assignee',
      ],
      [
        'a user that is not an email',
        { title: 'T', form: { type: 'object' }, outcomes: ['ok'], assignee: { user: 'bob' } },
        'assignee.user',
      ],
      [
        'both role and user',
        { title: 'T', form: { type: 'object' }, outcomes: ['ok'], assignee: { role: 'admin', user: 'a@example.com' } },
        'assignee',
      ],
      [
        'a form that is not an object schema',
        { title: 'T', form: { type: 'string' }, outcomes: ['ok'], assignee: { role: 'admin' } },
        'form.type',
      ],
      ['no title', { form: { type: 'object' }, outcomes: ['ok'], assignee: { role: 'admin' } }, 'title'],
    ],
  },
  'time.delay': {
    valid: [
      { durationMs: 60_000 },
      { until: '2030-01-31T09:00:00Z' },
      { until: { $expr: 'payload.dueAt' } },
      { durationMs: { $expr: 'env.DELAY' } },
    ],
    invalid: [
      ['neither durationMs nor until', {}, 'durationMs'],
      ['both durationMs and until', { durationMs: 1000, until: '2030-01-31T09:00:00Z' }, 'until'],
      ['an until that is not a date-time', { until: 'tomorrow' }, 'until'],
      ['a negative duration', { durationMs: -1 }, 'durationMs'],
    ],
  },
  'control.if': {
    valid: [
      { condition: { $expr: 'payload.amount > 1000' }, then: [step('big')], else: [step('small')] },
      { condition: true, then: [] },
    ],
    invalid: [
      ['a condition that is text', { condition: 'yes', then: [] }, 'condition'],
      ['no then pipe', { condition: true }, 'then'],
      ['a nested step with a bad id', { condition: true, then: [{ id: 'bad id!', type: 'state.set' }] }, 'then[0].id'],
    ],
  },
  'control.switch': {
    valid: [
      {
        value: { $expr: 'payload.region' },
        cases: [
          { when: 'eu', steps: [step('eu')] },
          { when: 'us', steps: [] },
        ],
        default: [step('other')],
      },
    ],
    invalid: [
      ['no cases', { value: 1, cases: [] }, 'cases'],
      ['a case without steps', { value: 1, cases: [{ when: 1 }] }, 'cases[0].steps'],
      ['an object value', { value: { a: 1 }, cases: [{ when: 1, steps: [] }] }, 'value'],
      ['no value', { cases: [{ when: 1, steps: [] }] }, 'value'],
    ],
  },
  'control.forEach': {
    valid: [
      {
        items: { $expr: 'payload.lines' },
        steps: [step('line')],
        concurrency: 5,
        onItemError: 'continue',
        collect: { $expr: 'vars.total' },
        saveAs: 'vars.results',
      },
      { items: [1, 2, 3], steps: [] },
    ],
    invalid: [
      ['concurrency 0', { items: [], steps: [], concurrency: 0 }, 'concurrency'],
      ['concurrency 51', { items: [], steps: [], concurrency: 51 }, 'concurrency'],
      ['an unknown onItemError', { items: [], steps: [], onItemError: 'skip' }, 'onItemError'],
      ['items that are text', { items: 'abc', steps: [] }, 'items'],
    ],
  },
  'control.parallel': {
    valid: [
      {
        branches: [
          { id: 'credit', steps: [step('c')] },
          { id: 'fraud', steps: [], result: { $expr: 'vars.score' } },
        ],
        saveAs: 'vars.checks',
      },
    ],
    invalid: [
      [
        'a repeated branch id',
        {
          branches: [
            { id: 'a', steps: [] },
            { id: 'a', steps: [] },
          ],
        },
        'branches[1].id',
      ],
      ['no branches', { branches: [] }, 'branches'],
      ['a branch id with a space', { branches: [{ id: 'bad id', steps: [] }] }, 'branches[0].id'],
    ],
  },
  'control.tryCatch': {
    valid: [
      { try: [step('risky')], catch: [step('recover')], finally: [step('cleanup')] },
      { try: [], catch: [] },
    ],
    invalid: [
      ['no catch pipe', { try: [] }, 'catch'],
      ['a finally that is not a pipe', { try: [], catch: [], finally: 'x' }, 'finally'],
    ],
  },
  'control.callWorkflow': {
    valid: [
      { workflow: 'invoice-approval', version: 'latest', input: { $expr: 'payload' }, saveAs: 'vars.child' },
      { workflow: 'child', version: 3, input: { a: 1 } },
    ],
    invalid: [
      ['version 0', { workflow: 'child', version: 0, input: {} }, 'version'],
      ['an unknown version word', { workflow: 'child', version: 'newest', input: {} }, 'version'],
      ['a key with capitals and spaces', { workflow: 'Invoice Approval', input: {} }, 'workflow'],
    ],
  },
  'control.return': {
    valid: [{}, { output: { $expr: 'vars.decision' } }, { output: { ok: true } }],
    invalid: [['an unknown key', { result: 1 }, '']],
  },
  'control.fail': {
    valid: [
      { code: 'INVOICE_REJECTED', message: 'The manager rejected the invoice' },
      { code: { $expr: 'vars.code' }, message: { $expr: 'vars.reason' } },
    ],
    invalid: [
      ['a code that is not UPPER_SNAKE', { code: 'bad code', message: 'x' }, 'code'],
      ['an empty message', { code: 'X', message: '' }, 'message'],
      ['no message', { code: 'X' }, 'message'],
    ],
  },
  'code.js': {
    valid: [
      { source: 'return input.payload.amount * 2' },
      {
        source: 'return input.a',
        input: { a: { $expr: 'payload.a' } },
        timeoutMs: 500,
        memoryMb: 16,
        saveAs: 'vars.doubled',
      },
    ],
    invalid: [
      ['no source', { source: '' }, 'source'],
      ['a time limit over 10 s', { source: 'return 1', timeoutMs: 10_001 }, 'timeoutMs'],
      ['a memory limit over 128 MB', { source: 'return 1', memoryMb: 129 }, 'memoryMb'],
      ['saveAs outside vars', { source: 'return 1', saveAs: 'result' }, 'saveAs'],
    ],
  },
  log: {
    valid: [
      { level: 'warn', message: 'Low stock', data: { $expr: 'vars.stock' } },
      { message: { $expr: '"Total: " & vars.total' } },
    ],
    invalid: [
      ['an unknown level', { level: 'fatal', message: 'x' }, 'level'],
      ['no message', { level: 'info' }, 'message'],
    ],
  },
};
