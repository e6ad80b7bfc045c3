import 'server-only';
import { AppError } from '@/model/errors';
import { cidrContains, parseCidr, parseIpAddress, unwrapIpv4Mapped, type TCidr } from '@/server/security/ip-address';

/**
 * The TCP peer of a request, written by the web process itself (scripts/peer-address.mjs)
 * over whatever the client sent under that name. Next.js keeps a client's own
 * X-Forwarded-For and only fills it in when it is missing, so without this header the
 * socket's address would be out of reach whenever a client claims another.
 */
export const PEER_ADDRESS_HEADER = 'x-pipewright-peer-address';

/** Which proxies in front of the app may tell us the client's address (PIPEWRIGHT_TRUST_PROXY). */
export type TTrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'cidrs'; ranges: TCidr[] };

/**
 * Reads PIPEWRIGHT_TRUST_PROXY: unset, empty or `0` trusts no proxy (the TCP peer is the
 * client); a number N trusts the N proxies nearest to us; a comma-separated list of addresses
 * and CIDRs trusts the peers in them. A malformed value is a CONFIG error naming it.
 *
 * @example parseTrustProxy('1') // one reverse proxy, e.g. nginx on the same host
 * @example parseTrustProxy('10.0.0.0/8, fd00::/8')
 */
export function parseTrustProxy(raw: string | undefined): TTrustProxy {
  const value = (raw ?? '').trim();
  if (value === '' || value === '0') return { kind: 'none' };
  if (/^\d+$/.test(value)) return { kind: 'hops', hops: Math.min(Number(value), 20) };
  const ranges = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const parsed = ranges.map((entry) => {
    const range = parseCidr(entry);
    if (!range) {
      throw new AppError(
        'CONFIG',
        `PIPEWRIGHT_TRUST_PROXY: "${entry}" is neither a hop count (1) nor an IP address or CIDR (10.0.0.0/8, fd00::/8).`,
      );
    }
    return range;
  });
  return { kind: 'cidrs', ranges: parsed };
}

let cached: { raw: string | undefined; trust: TTrustProxy } | null = null;

/** PIPEWRIGHT_TRUST_PROXY as configured for this process (parsed once per value). */
export function configuredTrustProxy(): TTrustProxy {
  const raw = process.env.PIPEWRIGHT_TRUST_PROXY;
  if (cached === null || cached.raw !== raw) cached = { raw, trust: parseTrustProxy(raw) };
  return cached.trust;
}

type THeaderSource = Headers | Record<string, unknown> | undefined;

function header(headers: THeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return typeof value === 'string'
    ? value
    : Array.isArray(value) && typeof value[0] === 'string'
      ? value[0]
      : undefined;
}

function isTrusted(ranges: TCidr[], address: string): boolean {
  const parsed = parseIpAddress(address);
  if (!parsed) return false;
  const candidates = [parsed, unwrapIpv4Mapped(parsed)];
  return ranges.some((range) => candidates.some((candidate) => cidrContains(range, candidate)));
}

/**
 * The client's address for throttling: the TCP peer, or, behind trusted proxies, the address
 * the nearest untrusted hop was seen from. X-Forwarded-For is read right to left (each proxy
 * appends the address it saw), so whatever the client wrote itself stays to the left of what
 * our proxies wrote and is never taken. X-Real-IP is never read: nothing says who set it.
 */
export function clientAddress({ headers, trustProxy }: { headers: THeaderSource; trustProxy: TTrustProxy }): string {
  const peer = header(headers, PEER_ADDRESS_HEADER)?.trim();
  if (!peer) return 'unknown';
  if (trustProxy.kind === 'none') return peer;
  const forwarded = (header(headers, 'x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // Nearest first: the peer, then what each proxy appended, right to left.
  const chain = [peer, ...forwarded.reverse()];
  if (trustProxy.kind === 'hops') return (chain[Math.min(trustProxy.hops, chain.length - 1)] ?? peer).slice(0, 64);
  let index = 0;
  while (index < chain.length - 1 && isTrusted(trustProxy.ranges, chain[index]!)) index += 1;
  return chain[index]!.slice(0, 64);
}
