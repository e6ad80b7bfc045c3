import dynamicIconImports from 'lucide-react/dynamicIconImports';
import { describe, expect, it } from 'vitest';
import { formatIssuePath } from '@/model/errors';
import {
  ACTION_REGISTRY,
  getActionDescriptor,
  listActionVersions,
  type TCompleteActionRegistry,
} from '@/server/runtime/actions';
import { ACTION_REFS, actionRef, type TActionRef } from '@/server/runtime/actions/action-descriptor';
import { coreEcho } from '@/server/runtime/actions/core-echo';

// @ts-expect-error an action ref without a descriptor does not compile
const _missing = { 'core.echo@1': coreEcho } satisfies TCompleteActionRegistry;

/** SPEC §4.4 inputs: one realistic input each, and bad inputs with the path of the bad field. */
const SAMPLES: Record<TActionRef, { valid: unknown[]; invalid: Array<[string, unknown, string]> }> = {
  'core.echo@1': { valid: [{ hello: 'world' }, [1, 2], 'text', null], invalid: [] },
  'http.request@1': {
    valid: [
      {
        method: 'POST',
        url: 'https://erp.example.com/invoices',
        headers: { authorization: 'Bearer abc', 'content-type': 'application/json' },
        query: { page: 2, draft: false, q: 'x' },
        body: { amount: 12 },
        timeoutMs: 30_000,
      },
      { method: 'GET', url: 'http://example.com' },
      { connection: 'crm', method: 'GET', url: 'customers/7' },
    ],
    invalid: [
      ['an unknown method', { method: 'FETCH', url: 'https://example.com' }, 'method'],
      ['a file URL', { method: 'GET', url: 'file:///etc/passwd' }, 'url'],
      ['a relative URL', { method: 'GET', url: '/invoices' }, 'url'],
      ['a connection name with a space', { connection: 'my crm', method: 'GET', url: '/invoices' }, 'connection'],
      [
        'a header value with a line break',
        { method: 'GET', url: 'https://example.com', headers: { 'x-a': 'b\r\nx-evil: 1' } },
        'headers.x-a',
      ],
      [
        'a header name with a space',
        { method: 'GET', url: 'https://example.com', headers: { 'bad name': 'b' } },
        'headers.bad name',
      ],
      [
        'a query value that is an object',
        { method: 'GET', url: 'https://example.com', query: { a: { b: 1 } } },
        'query.a',
      ],
      ['a timeout over 5 minutes', { method: 'GET', url: 'https://example.com', timeoutMs: 300_001 }, 'timeoutMs'],
    ],
  },
  'webhook.send@1': {
    valid: [
      { url: 'https://hooks.example.com/in', payload: { invoiceId: 'INV-1' }, secret: 'whsec_abc' },
      { url: 'https://hooks.example.com/in', payload: null },
    ],
    invalid: [
      ['no payload', { url: 'https://hooks.example.com/in' }, 'payload'],
      ['an ftp URL', { url: 'ftp://example.com', payload: {} }, 'url'],
      ['an empty secret', { url: 'https://example.com', payload: {}, secret: '' }, 'secret'],
    ],
  },
  'email.send@1': {
    valid: [
      { to: 'manager@example.com', subject: 'Invoice INV-1 needs approval', text: 'Please approve.' },
      { to: ['a@example.com', 'b@example.com'], subject: 'Hi', html: '<p>Hi</p>' },
    ],
    invalid: [
      ['neither text nor html', { to: 'a@example.com', subject: 'Hi' }, 'text'],
      ['a bad recipient in a list', { to: ['a@example.com', 'nope'], subject: 'Hi', text: 'x' }, 'to[1]'],
      ['an empty recipient list', { to: [], subject: 'Hi', text: 'x' }, 'to'],
      ['a subject with a line break', { to: 'a@example.com', subject: 'Hi\nBcc: x@example.com', text: 'x' }, 'subject'],
    ],
  },
  'events.emit@1': {
    valid: [{ event: 'invoice.paid', correlationKey: 'INV-1', payload: { amount: 12 } }, { event: 'nightly.tick' }],
    invalid: [
      ['no event', { payload: {} }, 'event'],
      ['an empty correlation key', { event: 'x', correlationKey: '' }, 'correlationKey'],
      ['an unknown key', { event: 'x', body: {} }, ''],
    ],
  },
  'llm.chat@1': {
    valid: [
      {
        connection: 'llm',
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Classify the ticket.' },
          { role: 'user', content: 'My invoice is wrong' },
        ],
        temperature: 0,
        maxTokens: 200,
        json: true,
      },
    ],
    invalid: [
      ['no messages', { connection: 'llm', model: 'm', messages: [] }, 'messages'],
      [
        'an unknown role',
        { connection: 'llm', model: 'm', messages: [{ role: 'tool', content: 'x' }] },
        'messages[0].role',
      ],
      [
        'a temperature above 2',
        { connection: 'llm', model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 3 },
        'temperature',
      ],
    ],
  },
  'mcp.callTool@1': {
    valid: [
      { connection: 'tools', tool: 'add', arguments: { a: 1, b: 2 } },
      { connection: 'tools', tool: 'ping' },
    ],
    invalid: [
      ['no tool', { connection: 'tools', arguments: {} }, 'tool'],
      ['arguments that are a list', { connection: 'tools', tool: 'add', arguments: [1, 2] }, 'arguments'],
    ],
  },
  'postgres.query@1': {
    valid: [
      { connection: 'warehouse', sql: 'SELECT * FROM orders WHERE id = $1', params: [7], readOnly: true },
      { connection: 'warehouse', sql: 'UPDATE orders SET paid = true WHERE id = $1', params: [7], timeoutMs: 5000 },
    ],
    invalid: [
      ['no connection', { sql: 'SELECT 1' }, 'connection'],
      ['empty SQL', { connection: 'w', sql: '' }, 'sql'],
      ['params that are not a list', { connection: 'w', sql: 'SELECT $1', params: { a: 1 } }, 'params'],
      ['a timeout over 5 minutes', { connection: 'w', sql: 'SELECT 1', timeoutMs: 300_001 }, 'timeoutMs'],
    ],
  },
};

describe('action input schemas', () => {
  it.each(ACTION_REFS.flatMap((ref) => SAMPLES[ref].valid.map((input, index) => ({ ref, index, input }))))(
    '$ref accepts example $index',
    ({ ref, input }) => {
      const parsed = ACTION_REGISTRY[ref].inputSchema.safeParse(input);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    },
  );

  it.each(ACTION_REFS.flatMap((ref) => SAMPLES[ref].invalid.map(([why, input, path]) => ({ ref, why, input, path }))))(
    '$ref rejects $why at "$path"',
    ({ ref, input, path }) => {
      const parsed = ACTION_REGISTRY[ref].inputSchema.safeParse(input);
      expect(parsed.success).toBe(false);
      expect(parsed.success ? [] : parsed.error.issues.map((issue) => formatIssuePath(issue.path))).toContain(path);
    },
  );

  it('core.echo passes any value through both schemas unchanged', () => {
    const value = { nested: [1, { a: null }] };
    expect(coreEcho.outputSchema.parse(coreEcho.inputSchema.parse(value))).toEqual(value);
  });

  it('describes outputs as SPEC §4.4 names them', () => {
    expect(
      ACTION_REGISTRY['http.request@1'].outputSchema.safeParse({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: { ok: true },
      }).success,
    ).toBe(true);
    expect(ACTION_REGISTRY['webhook.send@1'].outputSchema.safeParse({ status: 204 }).success).toBe(true);
    expect(ACTION_REGISTRY['email.send@1'].outputSchema.safeParse({ messageId: '<1@pipewright>' }).success).toBe(true);
    expect(ACTION_REGISTRY['events.emit@1'].outputSchema.safeParse({ resumed: ['r1'], started: [] }).success).toBe(
      true,
    );
    expect(ACTION_REGISTRY['events.emit@1'].outputSchema.safeParse({ resumed: 'r1', started: [] }).success).toBe(false);
  });
});

describe('the action registry', () => {
  it('has exactly one descriptor per ACTION_REFS entry, filed under its own id@version', () => {
    expect(Object.keys(ACTION_REGISTRY).sort()).toEqual([...ACTION_REFS].sort());
    for (const ref of ACTION_REFS) expect(actionRef(ACTION_REGISTRY[ref].id, ACTION_REGISTRY[ref].version)).toBe(ref);
  });

  it('gives every action a lucide icon and a sentence a person understands', () => {
    for (const descriptor of Object.values(ACTION_REGISTRY)) {
      expect(Object.keys(dynamicIconImports), `${descriptor.id} icon`).toContain(descriptor.icon);
      expect(descriptor.description, descriptor.id).toMatch(/^[A-Z].{20,}\.$/);
    }
  });

  it('finds descriptors by id and version, and lists versions', () => {
    expect(getActionDescriptor('http.request', 1)).toBe(ACTION_REGISTRY['http.request@1']);
    expect(getActionDescriptor('http.request', 2)).toBeNull();
    expect(getActionDescriptor('toString', 1)).toBeNull();
    expect(listActionVersions('email.send')).toEqual([1]);
    expect(listActionVersions('nope.nothing')).toEqual([]);
  });
});
