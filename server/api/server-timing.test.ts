import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoute } from '@/server/api/route';
import { defineContract } from '@/server/api/contract';
import { AppError } from '@/model/errors';
import { createDb, setDb, type Db } from '@/server/db/database';

/** Every /api/v1 answer says how long its handler took (Server-Timing), the figure its log line has. */

const contract = defineContract({
  operationId: 'timedProbe',
  method: 'GET',
  path: '/timed-probe',
  summary: 'probe',
  tag: 'test',
  permission: null,
  query: z.object({ fail: z.enum(['app']).optional(), stream: z.string().optional() }),
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
  route(new Request(`http://localhost/api/v1/timed-probe${search}`), { params: Promise.resolve({}) });

describe('apiRoute answers carry Server-Timing', () => {
  it.each([
    ['data', '', 200],
    ['an error', '?fail=app', 404],
    ['a validation error', '?fail=nope', 422],
    ['a stream the handler built', '?stream=1', 200],
  ])('%s', async (_what, search, status) => {
    const response = await call(search);
    expect(response.status).toBe(status);
    const timing = /^app;dur=(\d+(?:\.\d)?)$/.exec(response.headers.get('server-timing') ?? '');
    expect(timing, `Server-Timing: ${response.headers.get('server-timing')}`).not.toBeNull();
    expect(Number(timing![1])).toBeGreaterThanOrEqual(0);
  });
});
