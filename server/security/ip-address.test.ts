import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  formatIpAddress,
  parseCidr,
  parseIpAddress,
  unwrapIpv4Mapped,
} from '@/server/security/ip-address';

function parse(text: string) {
  const parsed = parseIpAddress(text);
  if (!parsed) throw new Error(`test address did not parse: ${text}`);
  return parsed;
}

describe('parseIpAddress and formatIpAddress', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['::', '::'],
    ['::ffff:127.0.0.2', '::ffff:7f00:2'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1::', '1::'],
  ])('%s reads back as %s', (text, formatted) => {
    expect(formatIpAddress(parse(text))).toBe(formatted);
  });

  it('unwraps IPv4-mapped IPv6 to the IPv4 address', () => {
    expect(formatIpAddress(unwrapIpv4Mapped(parse('::ffff:7f00:2')))).toBe('127.0.0.2');
    expect(formatIpAddress(unwrapIpv4Mapped(parse('::7f00:2')))).toBe('::7f00:2');
  });
});

describe('parseCidr and cidrContains', () => {
  it('matches by prefix, including prefixes that split a byte', () => {
    const range = parseCidr('172.16.0.0/12');
    expect(range).not.toBeNull();
    if (!range) return;
    expect(cidrContains(range, parse('172.31.255.255'))).toBe(true);
    expect(cidrContains(range, parse('172.32.0.0'))).toBe(false);
    expect(cidrContains(range, parse('::ffff:172.16.0.1'))).toBe(false);
  });

  it('reads a single address as a one-address range', () => {
    expect(parseCidr('127.0.0.1')).toMatchObject({ family: 4, prefix: 32 });
    expect(parseCidr('::1')).toMatchObject({ family: 6, prefix: 128 });
  });

  it.each([
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    'example.com/8',
    '10.0.0.0/-1',
    '[::1]/128',
    '10.0.0.0/ 8',
  ])('refuses %s', (text) => {
    expect(parseCidr(text)).toBeNull();
  });
});
