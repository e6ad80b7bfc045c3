import { describe, expect, it } from 'vitest';
import { clientAddress, parseTrustProxy, PEER_ADDRESS_HEADER } from '@/server/security/client-address';

// Issue #15, item 8: X-Forwarded-For is whatever the client wrote, unless a proxy we were
// told about put it there. Only the TCP peer (recorded by the web process itself) is a fact.
const headers = (peer: string | null, forwardedFor?: string) => ({
  ...(peer === null ? {} : { [PEER_ADDRESS_HEADER]: peer }),
  ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
  'x-real-ip': '6.6.6.6',
});

describe('parseTrustProxy', () => {
  it('reads nothing, a hop count or a list of addresses and CIDRs', () => {
    expect(parseTrustProxy(undefined)).toEqual({ kind: 'none' });
    expect(parseTrustProxy('')).toEqual({ kind: 'none' });
    expect(parseTrustProxy('0')).toEqual({ kind: 'none' });
    expect(parseTrustProxy('2')).toEqual({ kind: 'hops', hops: 2 });
    const cidrs = parseTrustProxy('10.0.0.0/8, fd00::/8,127.0.0.1');
    expect(cidrs.kind).toBe('cidrs');
  });

  it.each([['-1'], ['1.5'], ['proxy.internal'], ['10.0.0.0/33'], ['2, 10.0.0.0/8']])(
    'refuses %j with a CONFIG error naming the variable',
    (value) => {
      expect(() => parseTrustProxy(value)).toThrow(/PIPEWRIGHT_TRUST_PROXY/);
    },
  );
});

describe('clientAddress', () => {
  it('is the TCP peer when no proxy is trusted, whatever the forwarding headers claim', () => {
    expect(clientAddress({ headers: headers('203.0.113.5', '198.51.100.1'), trustProxy: { kind: 'none' } })).toBe(
      '203.0.113.5',
    );
  });

  it('takes the address the trusted hops saw, not what the client prepended', () => {
    const oneHop = parseTrustProxy('1');
    // The client wrote "1.2.3.4"; our proxy appended the address it saw, 198.51.100.7.
    expect(clientAddress({ headers: headers('10.0.0.2', '1.2.3.4, 198.51.100.7'), trustProxy: oneHop })).toBe(
      '198.51.100.7',
    );
    expect(
      clientAddress({
        headers: headers('10.0.0.2', '1.2.3.4, 198.51.100.7, 10.0.0.9'),
        trustProxy: parseTrustProxy('2'),
      }),
    ).toBe('198.51.100.7');
    // Fewer entries than hops: the furthest address there is.
    expect(clientAddress({ headers: headers('10.0.0.2'), trustProxy: parseTrustProxy('3') })).toBe('10.0.0.2');
  });

  it('walks back through trusted ranges only, and ignores the header when the peer is not a trusted proxy', () => {
    const ranges = parseTrustProxy('10.0.0.0/8');
    expect(clientAddress({ headers: headers('10.0.0.2', '1.2.3.4, 198.51.100.7, 10.9.9.9'), trustProxy: ranges })).toBe(
      '198.51.100.7',
    );
    expect(clientAddress({ headers: headers('203.0.113.5', '198.51.100.7'), trustProxy: ranges })).toBe('203.0.113.5');
    expect(clientAddress({ headers: headers('::ffff:10.0.0.2', '198.51.100.7'), trustProxy: ranges })).toBe(
      '198.51.100.7',
    );
  });

  it('treats a garbled forwarded entry as the client, and a missing peer as unknown', () => {
    expect(clientAddress({ headers: headers('10.0.0.2', 'not-an-ip'), trustProxy: parseTrustProxy('1') })).toBe(
      'not-an-ip',
    );
    expect(clientAddress({ headers: headers(null, '198.51.100.7'), trustProxy: { kind: 'none' } })).toBe('unknown');
  });
});
