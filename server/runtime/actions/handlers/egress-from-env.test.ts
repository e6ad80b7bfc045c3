import { afterEach, expect, it } from 'vitest';
import { readEgressAllowList } from '@/server/runtime/actions/handlers/egress-from-env';

const saved = process.env.PIPEWRIGHT_EGRESS_ALLOW;
afterEach(() => {
  if (saved === undefined) delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  else process.env.PIPEWRIGHT_EGRESS_ALLOW = saved;
});

it('parses PIPEWRIGHT_EGRESS_ALLOW once per value, and again as soon as it changes', () => {
  process.env.PIPEWRIGHT_EGRESS_ALLOW = '127.0.0.1, api.internal';
  const first = readEgressAllowList();
  expect(first).toEqual({ allow: { hostnames: ['api.internal'], cidrs: [expect.anything()] } });
  // The same value: the same parse, not a new one.
  expect(readEgressAllowList()).toBe(first);

  process.env.PIPEWRIGHT_EGRESS_ALLOW = '10.1.0.0/16';
  const changed = readEgressAllowList();
  expect(changed).not.toBe(first);
  expect(changed).toEqual({ allow: { hostnames: [], cidrs: [expect.anything()] } });

  delete process.env.PIPEWRIGHT_EGRESS_ALLOW;
  expect(readEgressAllowList()).toEqual({ allow: { hostnames: [], cidrs: [] } });
});

it('fails the step with CONFIG for a bad value, every time until it is fixed', () => {
  process.env.PIPEWRIGHT_EGRESS_ALLOW = 'not a host!';
  const refused = readEgressAllowList();
  expect(refused).toMatchObject({ error: { code: 'CONFIG', retryable: false } });
  expect(readEgressAllowList()).toMatchObject({ error: { code: 'CONFIG' } });
  process.env.PIPEWRIGHT_EGRESS_ALLOW = 'api.internal';
  expect(readEgressAllowList()).toEqual({ allow: { hostnames: ['api.internal'], cidrs: [] } });
});
