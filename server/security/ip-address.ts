import 'server-only';
import { isIPv4, isIPv6 } from 'node:net';
import { AppError } from '@/model/errors';

/** An IP address as its bytes: 4 for IPv4, 16 for IPv6. */
export type TIpAddress = { family: 4 | 6; bytes: Uint8Array };

/** A range of addresses: the first `prefix` bits of `bytes` are fixed. */
export type TCidr = { family: 4 | 6; bytes: Uint8Array; prefix: number };

function parseIpv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

/** Expects text that `isIPv6` accepted, without brackets or zone. */
function parseIpv6Bytes(text: string): Uint8Array {
  let source = text;
  // A dotted IPv4 tail (`::ffff:127.0.0.1`) stands for the last two 16-bit groups.
  const lastColon = source.lastIndexOf(':');
  const tail = source.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpv4Bytes(tail);
    const high = ((v4[0] ?? 0) << 8) | (v4[1] ?? 0);
    const low = ((v4[2] ?? 0) << 8) | (v4[3] ?? 0);
    source = `${source.slice(0, lastColon + 1)}${high.toString(16)}:${low.toString(16)}`;
  }
  const [head = '', rest] = source.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(rest === undefined ? 0 : missing).fill('0'), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/**
 * Parses an IP address in its canonical forms only: dotted-decimal IPv4, or IPv6 with or
 * without brackets and zone id. Other IPv4 notations (`0x7f.1`, `2130706433`) are not
 * addresses here on purpose: URLs are normalised by the WHATWG parser before they get here,
 * and DNS answers are always canonical. Returns null for anything else (a hostname).
 */
export function parseIpAddress(text: string): TIpAddress | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(bare)) return { family: 4, bytes: parseIpv4Bytes(bare) };
  const withoutZone = bare.split('%')[0] ?? '';
  if (isIPv6(withoutZone)) return { family: 6, bytes: parseIpv6Bytes(withoutZone) };
  return null;
}

/** `::ffff:a.b.c.d` reaches the IPv4 host a.b.c.d; every decision treats it as that host. */
export function unwrapIpv4Mapped(address: TIpAddress): TIpAddress {
  if (address.family !== 6) return address;
  const { bytes } = address;
  const isMapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return isMapped ? { family: 4, bytes: bytes.slice(12) } : address;
}

/** Dotted-decimal or RFC 5952 text (lower-case, longest zero run compressed). */
export function formatIpAddress(address: TIpAddress): string {
  if (address.family === 4) return Array.from(address.bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((address.bytes[i] ?? 0) << 8) | (address.bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength && j - i > 1) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Parses `a.b.c.d/n`, `x::y/n`, or a single address (a /32 or /128). Null when it is neither. */
export function parseCidr(text: string): TCidr | null {
  const [addressText = '', prefixText, ...extra] = text.split('/');
  if (extra.length > 0) return null;
  const address = parseIpAddress(addressText);
  if (!address || addressText.startsWith('[')) return null;
  const maxPrefix = address.family === 4 ? 32 : 128;
  if (prefixText === undefined) return { ...address, prefix: maxPrefix };
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > maxPrefix) return null;
  return { ...address, prefix };
}

/** Builds a range from a known-good literal; for the constant tables. */
export function cidr(text: string): TCidr {
  const parsed = parseCidr(text);
  if (!parsed) throw new AppError('INTERNAL', `not a CIDR: ${text}`);
  return parsed;
}

/** Whether `address` lies inside `range` (same family only; unwrap mapped addresses first). */
export function cidrContains(range: TCidr, address: TIpAddress): boolean {
  if (range.family !== address.family) return false;
  const fullBytes = Math.floor(range.prefix / 8);
  for (let i = 0; i < fullBytes; i += 1) if (range.bytes[i] !== address.bytes[i]) return false;
  const remainingBits = range.prefix % 8;
  if (remainingBits === 0) return true;
  const mask = (0xff << (8 - remainingBits)) & 0xff;
  return ((range.bytes[fullBytes] ?? 0) & mask) === ((address.bytes[fullBytes] ?? 0) & mask);
}
