import 'server-only';
import { AppError } from '@/model/errors';
import { cidrContains, parseCidr, unwrapIpv4Mapped, type TCidr, type TIpAddress } from '@/server/security/ip-address';

/**
 * What PIPEWRIGHT_EGRESS_ALLOW opens despite the private-network block: hostnames (exact,
 * or `*.example.internal` for every subdomain) and address ranges.
 */
export type TEgressAllowList = {
  hostnames: readonly string[];
  cidrs: readonly TCidr[];
};

export const EMPTY_ALLOW_LIST: TEgressAllowList = { hostnames: [], cidrs: [] };

const HOSTNAME_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Lower-case, without the trailing dot: `API.Example.com.` and `api.example.com` are one host. */
export function normalizeHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

function isHostnamePattern(entry: string): boolean {
  const labels = (entry.startsWith('*.') ? entry.slice(2) : entry).split('.');
  // An all-numeric name would be an IPv4 notation, which the URL parser turns into an address.
  return (
    entry.length <= 253 &&
    labels.every((label) => HOSTNAME_LABEL.test(label)) &&
    !labels.every((label) => /^\d+$/.test(label))
  );
}

/**
 * Parses the comma-separated PIPEWRIGHT_EGRESS_ALLOW value. Blank entries are ignored; an
 * entry that is neither a hostname nor an address or CIDR is a CONFIG error naming it, so a
 * typo never silently leaves a host blocked (or a range open).
 *
 * @example parseEgressAllowList('api.internal, 10.1.0.0/16, fd00::/8')
 */
export function parseEgressAllowList(raw: string | undefined): TEgressAllowList {
  const hostnames: string[] = [];
  const cidrs: TCidr[] = [];
  for (const part of (raw ?? '').split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const range = parseCidr(entry);
    if (range) {
      cidrs.push(range);
      continue;
    }
    const hostname = normalizeHostname(entry);
    if (!isHostnamePattern(hostname)) {
      throw new AppError(
        'CONFIG',
        `PIPEWRIGHT_EGRESS_ALLOW: "${entry}" is neither a hostname (api.internal, *.corp.example) nor an IP address or CIDR (10.0.0.0/8, fd00::/8).`,
      );
    }
    hostnames.push(hostname);
  }
  return { hostnames, cidrs };
}

/** Whether the allow list names this host (its addresses are then not checked at all). */
export function isHostnameAllowed(allow: TEgressAllowList, hostname: string): boolean {
  const host = normalizeHostname(hostname);
  return allow.hostnames.some((pattern) =>
    pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern,
  );
}

/** Whether an allowed range holds this address; `::ffff:10.0.0.1` matches `10.0.0.0/8`. */
export function isAddressAllowed(allow: TEgressAllowList, address: TIpAddress): boolean {
  const candidates = [address, unwrapIpv4Mapped(address)];
  return allow.cidrs.some((range) => candidates.some((candidate) => cidrContains(range, candidate)));
}
