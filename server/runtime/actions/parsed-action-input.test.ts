import { expect, it } from 'vitest';
import { z } from 'zod';
import { ZHttpRequestInput } from '@/server/runtime/actions/http-request';
import { httpRequestHandler } from '@/server/runtime/actions/handlers/http-request-handler';
import {
  noteResolvedInput,
  parseActionInput,
  rememberParsedInput,
  wasParsedWith,
} from '@/server/runtime/actions/parsed-action-input';
import { EMPTY_ALLOW_LIST } from '@/server/security/egress-allowlist';

it('knows a value parsed by a schema, and nothing else: not a copy, not for another schema', () => {
  const schema = z.object({ a: z.number() });
  const value = schema.parse({ a: 1 });
  expect(wasParsedWith(schema, value)).toBe(false);
  rememberParsedInput(schema, value);
  expect(wasParsedWith(schema, value)).toBe(true);
  expect(wasParsedWith(schema, { ...value })).toBe(false);
  expect(wasParsedWith(z.object({ a: z.number() }), value)).toBe(false);
  rememberParsedInput(schema, 'text');
  expect(wasParsedWith(schema, 'text')).toBe(false);
});

it('http.request still parses an input nobody parsed (a test, a connection rewrite) and refuses a bad one', async () => {
  const args = { signal: new AbortController().signal, idempotencyKey: 'k', allow: EMPTY_ALLOW_LIST };
  const bad = { method: 'GET', url: 'not a url' };
  expect(await httpRequestHandler({ ...args, input: bad })).toMatchObject({ error: { code: 'VALIDATION' } });
  // Parsed and remembered: the handler takes it as it is (here refused by the egress guard, past parsing).
  const good = ZHttpRequestInput.parse({ method: 'GET', url: 'http://127.0.0.1:9/' });
  rememberParsedInput(ZHttpRequestInput, good);
  expect(await httpRequestHandler({ ...args, input: good })).toMatchObject({ error: { code: 'EGRESS_BLOCKED' } });
});

/** A schema that counts its parses. */
function countingSchema<T extends z.ZodTypeAny>(schema: T): { schema: z.ZodTypeAny; parses: () => number } {
  let parses = 0;
  return {
    schema: schema.superRefine(() => {
      parses++;
    }),
    parses: () => parses,
  };
}

/** What resolveConfigValue makes of a literal: a deep copy. */
const copyOf = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

it('parses a copy of a literal config input once per schema: later copies are their own parse', () => {
  const { schema, parses } = countingSchema(z.object({ url: z.string(), body: z.unknown() }));
  const literal = { url: 'http://a.test/', body: { i: 1 } };
  for (let run = 0; run < 3; run++) {
    const input = copyOf(literal);
    noteResolvedInput(literal, input);
    const parsed = parseActionInput(schema, input);
    expect(parsed).toEqual({ success: true, data: { url: 'http://a.test/', body: { i: 1 } } });
    if (run > 0) expect(parsed.data).toBe(input);
  }
  expect(parses()).toBe(1);
  // Frozen once known to be a literal: the answer kept for it cannot go stale.
  expect(Object.isFrozen(literal.body)).toBe(true);
  // Another schema is asked on its own.
  const other = countingSchema(z.object({ url: z.string(), body: z.unknown() }));
  const input = copyOf(literal);
  noteResolvedInput(literal, input);
  parseActionInput(other.schema, input);
  expect(other.parses()).toBe(1);
});

it('parses every time what the cache must not answer: a refused literal, one the schema changes, and anything computed', () => {
  const check = (schema: z.ZodTypeAny, parses: () => number, literal: object, expected: unknown) => {
    for (let run = 0; run < 2; run++) {
      const input = copyOf(literal);
      noteResolvedInput(literal, input);
      const parsed = parseActionInput(schema, input);
      expect(parsed.success ? parsed.data : 'refused').toEqual(expected);
    }
    expect(parses()).toBe(2);
  };
  const refused = countingSchema(z.object({ url: z.string().url() }));
  check(refused.schema, refused.parses, { url: 'not a url' }, 'refused');
  const defaulted = countingSchema(z.object({ url: z.string(), method: z.string().default('GET') }));
  check(defaulted.schema, defaulted.parses, { url: 'u' }, { url: 'u', method: 'GET' });
  // The same keys in the schema's order, not the input's: a handler may send them as JSON.
  const reordered = countingSchema(z.object({ a: z.number(), b: z.number() }));
  check(reordered.schema, reordered.parses, { b: 2, a: 1 }, { a: 1, b: 2 });
  const computed = countingSchema(z.object({ url: z.unknown() }));
  const withExpr = { url: { nested: [{ $expr: 'vars.url' }] } };
  check(computed.schema, computed.parses, withExpr, withExpr);
  expect(Object.isFrozen(withExpr)).toBe(false);
  const secret = countingSchema(z.object({ token: z.unknown() }));
  check(secret.schema, secret.parses, { token: { $secret: 'T' } }, { token: { $secret: 'T' } });
});

it('parses an input nobody noted as a copy of a literal', () => {
  const { schema, parses } = countingSchema(z.object({ a: z.number() }));
  parseActionInput(schema, { a: 1 });
  parseActionInput(schema, { a: 1 });
  expect(parses()).toBe(2);
});
