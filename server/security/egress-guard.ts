import 'server-only';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { ADDRESS_CLASS_DESCRIPTIONS, classifyAddress } from '@/server/security/classify-address';
import { isAddressAllowed, isHostnameAllowed, type TEgressAllowList } from '@/server/security/egress-allowlist';
import { egressBlocked, GuardedFetchError } from '@/server/security/guarded-fetch-error';
import { formatIpAddress, parseIpAddress, unwrapIpv4Mapped, type TIpAddress } from '@/server/security/ip-address';

export type TResolvedAddress = { address: string; family: number };
/** Resolves a hostname to every address it has; injectable so tests can play a rebinding DNS. */
export type TResolveHost = (hostname: string) => Promise<TResolvedAddress[]>;

export const resolveWithSystemDns: TResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** `127.0.0.2`, or `::ffff:7f00:2 (IPv4 127.0.0.2)`: the mapped form alone would hide which host it is. */
function describeAddress(address: TIpAddress): string {
  const plain = unwrapIpv4Mapped(address);
  return plain === address ? formatIpAddress(address) : `${formatIpAddress(address)} (IPv4 ${formatIpAddress(plain)})`;
}

/** Why an address may not be reached, or null when it may. */
function refusalReason(allow: TEgressAllowList, address: TIpAddress): string | null {
  if (isAddressAllowed(allow, address)) return null;
  const addressClass = classifyAddress(address);
  return addressClass === null || addressClass === 'public' ? null : ADDRESS_CLASS_DESCRIPTIONS[addressClass];
}

/** An IP literal host with the guard's decision on it: null reason when it may be reached. */
type TLiteralHost = { address: TIpAddress; text: string; reason: string | null };

/**
 * Decisions on IP literal hosts, per allow list (a new object whenever PIPEWRIGHT_EGRESS_ALLOW
 * changes): a decision depends on nothing else, and a durable step to a literal address asked
 * for it twice per call, parsing the address three times. Hostnames are not kept: their
 * addresses are resolved and checked on every request.
 */
const literalHosts = new WeakMap<TEgressAllowList, Map<string, TLiteralHost | null>>();
const MAX_LITERAL_HOSTS = 1024;

/** The host as an IP literal (null: a hostname) and whether `allow` lets it be reached. */
function literalHost(host: string, allow: TEgressAllowList): TLiteralHost | null {
  let known = literalHosts.get(allow);
  if (!known) literalHosts.set(allow, (known = new Map()));
  let decided = known.get(host);
  if (decided === undefined) {
    const address = parseIpAddress(host);
    decided = address && { address, text: formatIpAddress(address), reason: refusalReason(allow, address) };
    if (known.size >= MAX_LITERAL_HOSTS) known.clear();
    known.set(host, decided);
  }
  return decided;
}

/**
 * Refuses a URL before any connection when its scheme is not http(s) or its host is an IP
 * literal that may not be reached. Literals need this check because Node connects to them
 * without calling `lookup`. `url` must come from the WHATWG parser, which has already turned
 * `2130706434`, `0177.0.0.2`, `0x7f.2` and `127.2` into `127.0.0.2`, and `[::ffff:127.0.0.2]`
 * into `[::ffff:7f00:2]`, so only canonical notation is left to classify.
 */
export function assertUrlAllowed(url: URL, allow: TEgressAllowList): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw egressBlocked(`${url.protocol} URLs are not allowed (only http: and https:)`, {
      host: url.hostname,
      reason: 'scheme',
    });
  }
  const literal = literalHost(url.hostname, allow);
  if (literal?.reason)
    throw egressBlocked(`${describeAddress(literal.address)} is ${literal.reason}`, {
      host: url.hostname,
      address: literal.text,
      reason: literal.reason,
    });
}

/**
 * Resolves `hostname` and keeps only the addresses that may be reached; refuses when none
 * is left. A hostname the allow list names keeps all its addresses.
 */
export async function resolveAllowedAddresses(
  hostname: string,
  allow: TEgressAllowList,
  resolveHost: TResolveHost,
): Promise<TResolvedAddress[]> {
  const literal = literalHost(hostname, allow);
  if (literal) {
    if (literal.reason === null) return [{ address: literal.text, family: literal.address.family }];
    const address = describeAddress(literal.address);
    throw egressBlocked(`${address} is ${literal.reason}`, { host: hostname, address, reason: literal.reason });
  }
  const resolved = await resolveHost(hostname);
  if (isHostnameAllowed(allow, hostname)) return resolved;
  const refused: Array<{ address: string; reason: string }> = [];
  const allowed = resolved.filter(({ address }) => {
    const parsed = parseIpAddress(address);
    // A resolver answering something that is not an address is refused rather than trusted.
    const reason = parsed ? refusalReason(allow, parsed) : 'not an IP address';
    if (reason) refused.push({ address: parsed ? describeAddress(parsed) : address, reason });
    return reason === null;
  });
  const first = refused[0];
  if (allowed.length > 0 || !first) return allowed;
  const message = `${hostname} resolves to ${first.address}, ${first.reason}`;
  throw egressBlocked(message, { host: hostname, address: first.address, reason: first.reason });
}

/**
 * The `lookup` the socket uses to find where to connect. The address checked here is the
 * address connected to, so a DNS answer that changes between a check and the connect (DNS
 * rebinding) has nothing to slip through: there is no earlier check.
 */
export function createGuardedLookup(allow: TEgressAllowList, resolveHost: TResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowedAddresses(hostname, allow, resolveHost).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        const first = wanted[0];
        if (options.all) callback(null, wanted);
        else if (first) callback(null, first.address, first.family);
        else
          callback(
            new GuardedFetchError('HTTP', `${hostname} has no IPv${family} address`, {
              retryable: true,
              details: { host: hostname },
            }),
            '',
            0,
          );
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
