import 'server-only';
import {
  cidr,
  cidrContains,
  parseIpAddress,
  unwrapIpv4Mapped,
  type TCidr,
  type TIpAddress,
} from '@/server/security/ip-address';

/** What kind of destination an address is; everything but `public` is refused unless allowed. */
export const ADDRESS_CLASSES = [
  'public',
  'unspecified',
  'this-network',
  'loopback',
  'private',
  'shared',
  'link-local',
  'unique-local',
  'site-local',
  'multicast',
  'broadcast',
  'reserved',
  'documentation',
  'benchmarking',
  'discard',
  'tunnel',
] as const;
export type TAddressClass = (typeof ADDRESS_CLASSES)[number];

/** Completes "127.0.0.2 is …" in EGRESS_BLOCKED messages. */
export const ADDRESS_CLASS_DESCRIPTIONS = {
  public: 'a public address',
  unspecified: 'the unspecified address',
  'this-network': 'a "this network" address (0.0.0.0/8, which reaches the local host)',
  loopback: 'a loopback address',
  private: 'a private-network address',
  shared: 'a carrier-grade NAT (shared, 100.64.0.0/10) address',
  'link-local': 'a link-local address',
  'unique-local': 'a unique-local IPv6 address',
  'site-local': 'a site-local IPv6 address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address',
  discard: 'an IPv6 discard-only address',
  tunnel: 'a Teredo tunnel address',
} as const satisfies Record<TAddressClass, string>;

type TRange = { range: TCidr; kind: Exclude<TAddressClass, 'public'> };

function ranges(kind: TRange['kind'], ...texts: string[]): TRange[] {
  return texts.map((text) => ({ range: cidr(text), kind }));
}

// Order matters where ranges nest: the more specific one comes first.
const IPV4_RANGES: TRange[] = [
  ...ranges('unspecified', '0.0.0.0/32'),
  ...ranges('broadcast', '255.255.255.255/32'),
  ...ranges('this-network', '0.0.0.0/8'),
  ...ranges('private', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'),
  ...ranges('shared', '100.64.0.0/10'),
  ...ranges('loopback', '127.0.0.0/8'),
  ...ranges('link-local', '169.254.0.0/16'),
  ...ranges('reserved', '192.0.0.0/24', '240.0.0.0/4'),
  ...ranges('documentation', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'),
  ...ranges('benchmarking', '198.18.0.0/15'),
  ...ranges('multicast', '224.0.0.0/4'),
];

const IPV6_RANGES: TRange[] = [
  ...ranges('unspecified', '::/128'),
  ...ranges('loopback', '::1/128'),
  ...ranges('private', '64:ff9b:1::/48'),
  ...ranges('discard', '100::/64'),
  ...ranges('tunnel', '2001::/32'),
  ...ranges('documentation', '2001:db8::/32'),
  ...ranges('unique-local', 'fc00::/7'),
  ...ranges('link-local', 'fe80::/10'),
  ...ranges('site-local', 'fec0::/10'),
  ...ranges('multicast', 'ff00::/8'),
];

/**
 * IPv6 ranges that carry an IPv4 address inside them and can deliver to it: IPv4-compatible
 * (::/96, deprecated), NAT64 (64:ff9b::/96, translated by a gateway) and 6to4 (2002::/16).
 * `::ffff:a.b.c.d` is unwrapped before this table is consulted. An address in one of them is
 * judged by the IPv4 address it carries, so `64:ff9b::a00:1` is as private as 10.0.0.1.
 */
const IPV4_CARRIERS: Array<{ range: TCidr; offset: number }> = [
  { range: cidr('::/96'), offset: 12 },
  { range: cidr('64:ff9b::/96'), offset: 12 },
  { range: cidr('2002::/16'), offset: 2 },
];

function classifyParsed(address: TIpAddress): TAddressClass {
  const plain = unwrapIpv4Mapped(address);
  const table = plain.family === 4 ? IPV4_RANGES : IPV6_RANGES;
  const match = table.find(({ range }) => cidrContains(range, plain));
  if (match) return match.kind;
  if (plain.family === 6) {
    const carrier = IPV4_CARRIERS.find(({ range }) => cidrContains(range, plain));
    if (carrier) return classifyParsed({ family: 4, bytes: plain.bytes.slice(carrier.offset, carrier.offset + 4) });
  }
  return 'public';
}

/**
 * The class of an IP address in canonical text (`127.0.0.2`, `::ffff:7f00:2`, `[fe80::1]`),
 * or null when the text is not an IP address. Pure: it never resolves or connects.
 *
 * @example classifyAddress('::ffff:10.0.0.1') // 'private'
 */
export function classifyAddress(address: string | TIpAddress): TAddressClass | null {
  const parsed = typeof address === 'string' ? parseIpAddress(address) : address;
  return parsed ? classifyParsed(parsed) : null;
}
