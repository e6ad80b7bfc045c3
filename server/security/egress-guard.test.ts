import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { parseEgressAllowList } from '@/server/security/egress-allowlist';
import {
  assertUrlAllowed,
  createGuardedLookup,
  resolveAllowedAddresses,
  type TResolveHost,
} from '@/server/security/egress-guard';
import { GuardedFetchError } from '@/server/security/guarded-fetch-error';

// Nothing here connects anywhere: the ranges beyond loopback are judged through a resolver stub
// and the URL check alone, which is exactly what stands between a request and its connect.
const RANGES: Array<[string, string, RegExp]> = [
  ['10/8', '10.20.30.40', /private-network/],
  ['172.16/12', '172.31.0.5', /private-network/],
  ['192.168/16', '192.168.1.10', /private-network/],
  ['169.254/16 (cloud metadata)', '169.254.169.254', /link-local/],
  ['100.64/10', '100.100.100.200', /carrier-grade NAT/],
  ['fc00::/7', 'fd00:ec2::254', /unique-local/],
  ['fe80::/10', 'fe80::1', /link-local/],
  ['IPv4-mapped 10/8', '::ffff:10.0.0.1', /private-network/],
];

const stub =
  (address: string): TResolveHost =>
  async () => [{ address, family: address.includes(':') ? 6 : 4 }];

function refusal(run: () => unknown): GuardedFetchError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GuardedFetchError);
    return error as GuardedFetchError;
  }
  throw new Error('expected a refusal');
}

describe('the egress guard on the private ranges', () => {
  it.each(RANGES)('refuses a name resolving into %s (%s) before any connect', async (_range, address, reason) => {
    const error = await resolveAllowedAddresses('internal.test', parseEgressAllowList('127.0.0.1'), stub(address)).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ code: 'EGRESS_BLOCKED', retryable: false });
    expect((error as Error).message).toMatch(reason);
  });

  it.each(RANGES)('hands the socket no address of %s (%s) through its lookup', async (_range, address) => {
    const lookup = createGuardedLookup(parseEgressAllowList(''), stub(address));
    const answer = await new Promise<{ error: Error | null; address: string | LookupAddress[] }>((resolve) =>
      lookup('internal.test', { all: true }, (error, result) => resolve({ error, address: result })),
    );
    expect(answer.error).toMatchObject({ code: 'EGRESS_BLOCKED' });
    expect(answer.address).toEqual('');
  });

  it.each(RANGES)('refuses %s as an IP literal in a URL (%s)', (_range, address) => {
    const host = address.includes(':') ? `[${address}]` : address;
    expect(
      refusal(() => assertUrlAllowed(new URL(`https://${host}/latest/meta-data/`), parseEgressAllowList(''))),
    ).toMatchObject({ code: 'EGRESS_BLOCKED' });
  });

  it.each([
    ['http://167772161/', '10.0.0.1'],
    ['http://0xa9fea9fe/', '169.254.169.254'],
    ['http://0251.0376.0251.0376/', '169.254.169.254'],
    ['http://192.168.257/', '192.168.1.1'],
    ['http://10.1/', '10.0.0.1'],
    ['http://[::ffff:a9fe:a9fe]/', '169.254.169.254'],
    ['http://100.64.1/', '100.64.0.1'],
  ])('reads %s as %s and refuses it', (url, address) => {
    const error = refusal(() => assertUrlAllowed(new URL(url), parseEgressAllowList('')));
    expect(error.details?.address === address || String(error.message).includes(address)).toBe(true);
  });

  it('lets PIPEWRIGHT_EGRESS_ALLOW open a range, a single address or a hostname — and nothing next to them', async () => {
    const allow = parseEgressAllowList('10.20.0.0/16, fd00:ec2::254, metadata.internal');
    expect(await resolveAllowedAddresses('svc.test', allow, stub('10.20.30.40'))).toEqual([
      { address: '10.20.30.40', family: 4 },
    ]);
    expect(await resolveAllowedAddresses('svc.test', allow, stub('fd00:ec2::254'))).toEqual([
      { address: 'fd00:ec2::254', family: 6 },
    ]);
    expect(await resolveAllowedAddresses('metadata.internal', allow, stub('169.254.169.254'))).toEqual([
      { address: '169.254.169.254', family: 4 },
    ]);
    await expect(resolveAllowedAddresses('svc.test', allow, stub('10.21.0.1'))).rejects.toMatchObject({
      code: 'EGRESS_BLOCKED',
    });
    await expect(resolveAllowedAddresses('other.internal', allow, stub('169.254.169.254'))).rejects.toMatchObject({
      code: 'EGRESS_BLOCKED',
    });
    expect(() => assertUrlAllowed(new URL('http://10.20.1.1/'), allow)).not.toThrow();
  });

  it('passes public addresses', async () => {
    expect(await resolveAllowedAddresses('example.test', parseEgressAllowList(''), stub('93.184.216.34'))).toEqual([
      { address: '93.184.216.34', family: 4 },
    ]);
    expect(() => assertUrlAllowed(new URL('https://93.184.216.34/'), parseEgressAllowList(''))).not.toThrow();
  });
});

describe('decisions on IP literals, kept per allow list', () => {
  const never: TResolveHost = () => Promise.reject(new Error('a literal is never resolved'));

  it('decides again under another allow list, both ways, and the two checks agree', async () => {
    const open = parseEgressAllowList('127.0.0.0/8');
    const narrow = parseEgressAllowList('127.0.0.1');
    for (let round = 0; round < 2; round++) {
      expect(await resolveAllowedAddresses('127.0.0.2', open, never)).toEqual([{ address: '127.0.0.2', family: 4 }]);
      expect(() => assertUrlAllowed(new URL('http://127.0.0.2/'), open)).not.toThrow();
      const refused = await resolveAllowedAddresses('127.0.0.2', narrow, never).catch((error: unknown) => error);
      expect(refused).toMatchObject({
        code: 'EGRESS_BLOCKED',
        message: expect.stringMatching(/^127\.0\.0\.2 is a loopback address/),
      });
      expect(refusal(() => assertUrlAllowed(new URL('http://127.0.0.2/'), narrow)).message).toBe(
        (refused as Error).message,
      );
    }
  });

  it('hands out a new list each time, so a caller cannot change the next answer', async () => {
    const allow = parseEgressAllowList('::1');
    const first = await resolveAllowedAddresses('[::1]', allow, never);
    first.push({ address: '10.0.0.1', family: 4 });
    first[0]!.address = '10.0.0.2';
    expect(await resolveAllowedAddresses('[::1]', allow, never)).toEqual([{ address: '::1', family: 6 }]);
  });
});
