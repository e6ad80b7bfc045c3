import { describe, expect, it } from 'vitest';
import { classifyAddress, type TAddressClass } from '@/server/security/classify-address';

// Pure classification: none of these addresses is ever connected to.
const CASES: Array<[string, TAddressClass]> = [
  ['127.0.0.1', 'loopback'],
  ['127.0.0.2', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'link-local'],
  ['100.64.0.1', 'shared'],
  ['100.127.255.255', 'shared'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456:789a::1', 'unique-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['0.0.0.0', 'unspecified'],
  ['::', 'unspecified'],
  ['0.1.2.3', 'this-network'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['ff02::1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.2.10', 'documentation'],
  ['2001:db8::1', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  // IPv4-mapped IPv6 in both notations is judged as the IPv4 host it reaches.
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:7f00:2', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:a00:1', 'private'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:0:0', 'unspecified'],
  // Other IPv6 forms that deliver to an embedded IPv4 address.
  ['::127.0.0.1', 'loopback'],
  ['64:ff9b::a00:1', 'private'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['2002:7f00:1::1', 'loopback'],
  ['2002:c0a8:101::1', 'private'],
  ['64:ff9b:1::1', 'private'],
  ['2001::1', 'tunnel'],
];

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '172.15.255.255',
  '172.32.0.1',
  '100.63.255.255',
  '100.128.0.1',
  '169.253.0.1',
  '192.169.0.1',
  '11.0.0.1',
  '126.255.255.255',
  '128.0.0.1',
  '2606:4700::1111',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
  'fbff::1',
  'fe00::1',
];

describe('classifyAddress', () => {
  it.each(CASES)('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each(PUBLIC)('%s is public', (address) => {
    expect(classifyAddress(address)).toBe('public');
  });

  it('does not take hostnames or non-canonical notations for addresses', () => {
    // Those reach it only after the WHATWG URL parser has normalised them (see guarded-fetch tests).
    for (const text of [
      'localhost',
      'example.com',
      '2130706433',
      '0x7f.1',
      '127.1',
      '0177.0.0.1',
      '',
      '1.2.3.4.5',
      '::ffff:127.0.0.256',
    ]) {
      expect(classifyAddress(text)).toBeNull();
    }
  });
});
