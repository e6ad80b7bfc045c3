import { expect, it } from 'vitest';
import { z } from 'zod';
import { ZHttpRequestInput } from '@/server/runtime/actions/http-request';
import { httpRequestHandler } from '@/server/runtime/actions/handlers/http-request-handler';
import { rememberParsedInput, wasParsedWith } from '@/server/runtime/actions/parsed-action-input';
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
