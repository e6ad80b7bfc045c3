import { describe, expect, it } from 'vitest';
import { AppError } from '@/model/errors';
import { isAddressAllowed, isHostnameAllowed, parseEgressAllowList } from '@/server/security/egress-allowlist';
import { parseIpAddress } from '@/server/security/ip-address';

function address(text: string) {
  const parsed = parseIpAddress(text);
  if (!parsed) throw new Error(`test address did not parse: ${text}`);
  return parsed;
}

describe('parseEgressAllowList', () => {
  it('reads hostnames, addresses and CIDRs of both families, ignoring blanks', () => {
    const allow = parseEgressAllowList(' API.internal. , 10.1.0.0/16,, fd00::/8 ,127.0.0.1, *.corp.example ');
    expect(allow.hostnames).toEqual(['api.internal', '*.corp.example']);
    expect(allow.cidrs.map((c) => [c.family, c.prefix])).toEqual([
      [4, 16],
      [6, 8],
      [4, 32],
    ]);
  });

  it('is empty when unset', () => {
    expect(parseEgressAllowList(undefined)).toEqual({ hostnames: [], cidrs: [] });
  });

  it.each([
    '10.0.0.0/33',
    'http://api.internal',
    'api internal',
    '10.0.0.0/8/1',
    '-bad.example',
    'fd00::/200',
    '256.1.1.1',
    'a_b.example',
    '*',
  ])('refuses %s with a CONFIG error naming the entry', (entry) => {
    const attempt = () => parseEgressAllowList(`api.internal,${entry}`);
    expect(attempt).toThrow(AppError);
    expect(attempt).toThrow(`"${entry}"`);
    try {
      attempt();
    } catch (error) {
      expect((error as AppError).code).toBe('CONFIG');
    }
  });
});

describe('allow checks', () => {
  const allow = parseEgressAllowList('api.internal,*.corp.example,10.1.0.0/16,fd00::/8');

  it('matches hostnames exactly or by wildcard suffix, case-insensitively', () => {
    expect(isHostnameAllowed(allow, 'API.internal.')).toBe(true);
    expect(isHostnameAllowed(allow, 'x.api.internal')).toBe(false);
    expect(isHostnameAllowed(allow, 'build.corp.example')).toBe(true);
    expect(isHostnameAllowed(allow, 'corp.example')).toBe(false);
    expect(isHostnameAllowed(allow, 'evilcorp.example')).toBe(false);
  });

  it('matches addresses by range, IPv4-mapped IPv6 as its IPv4 address', () => {
    expect(isAddressAllowed(allow, address('10.1.2.3'))).toBe(true);
    expect(isAddressAllowed(allow, address('::ffff:10.1.2.3'))).toBe(true);
    expect(isAddressAllowed(allow, address('10.2.0.1'))).toBe(false);
    expect(isAddressAllowed(allow, address('fd00::5'))).toBe(true);
    expect(isAddressAllowed(allow, address('fc00::5'))).toBe(false);
  });
});
