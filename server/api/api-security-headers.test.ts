import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiRoute } from '@/server/api/route';
import { defineContract } from '@/server/api/contract';
import { AppError } from '@/model/errors';
import { createDb, setDb, type Db } from '@/server/db/database';

/**
 * The root proxy leaves /api/v1 out (its matcher), so apiRoute sets the API's security headers
 * on every answer itself: data, errors and Responses a handler builds (a stream).
 */

const contract = defineContract({
  operationId: 'probe',
  method: 'GET',
  path: '/probe',
  summary: 'probe',
  tag: 'test',
  permission: null,
  query: z.object({ fail: z.enum(['app', 'validation']).optional(), stream: z.string().optional() }),
});

const route = apiRoute(contract, async ({ query }) => {
  if (query.fail === 'app') throw new AppError('NOT_FOUND', 'nothing here');
  if (query.stream) return new Response('data: x\n\n', { headers: { 'content-type': 'text/event-stream' } });
  return { ok: true };
});

// apiRoute hands every handler the database; these handlers never use it, so nothing connects.
let idle: Db;
beforeAll(() => {
  idle = createDb('postgres://nobody@127.0.0.1:1/none').db;
  setDb(idle);
});
afterAll(() => idle.destroy());

const call = (search: string) =>
  route(new Request(`http://localhost/api/v1/probe${search}`), { params: Promise.resolve({}) });
const originalUrl = process.env.NEXTAUTH_URL;
afterEach(() => {
  process.env.NEXTAUTH_URL = originalUrl;
});

describe('apiRoute answers carry the security headers', () => {
  it.each([
    ['data', '', 200],
    ['an error', '?fail=app', 404],
    ['a validation error', '?fail=nope', 422],
    ['a stream the handler built', '?stream=1', 200],
  ])('%s', async (_what, search, status) => {
    const response = await call(search);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('with HSTS when the public URL is https', async () => {
    process.env.NEXTAUTH_URL = 'https://pipewright.example.com';
    const response = await call('');
    expect(response.headers.get('strict-transport-security')).toBe('max-age=15552000');
  });
});
