// Any base works: only whether the value stays on it matters. `.invalid` can never resolve.
const PROBE_ORIGIN = 'http://pipewright.invalid';

/** Control characters, space, DEL and `\`: what browsers strip from URLs or read as something else. */
function isAmbiguousInUrl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code <= 0x20 || code === 0x7f || char === '\\';
}

/**
 * The value as a path on our own origin, normalised the way a browser reads it, or null when a
 * browser would leave the site with it. A browser drops tabs and newlines anywhere in a URL
 * and reads `\` as `/`, so `/<TAB>/evil.example` is `//evil.example`, another host; the WHATWG
 * parser here does exactly what the browser will. Anything that parses to another origin, or
 * holds control characters or whitespace that a browser might treat differently, is refused.
 * What comes back is percent-encoded, so it is always a valid Location header.
 */
export function sameOriginPath(value: string): string | null {
  if (!value.startsWith('/') || [...value].some(isAmbiguousInUrl)) return null;
  if (!URL.canParse(value, PROBE_ORIGIN)) return null;
  const url = new URL(value, PROBE_ORIGIN);
  if (url.origin !== PROBE_ORIGIN) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // `/./evil.example/..//x` and the like can normalise to a protocol-relative path.
  return path.startsWith('//') ? null : path;
}

/** Where to go after signing in: a same-origin path other than the sign-in page, else the Overview. */
export function safeCallbackUrl(value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? value[0] : value;
  const path = raw === undefined ? null : sameOriginPath(raw);
  if (!path || path === '/sign-in' || path.startsWith('/sign-in?') || path.startsWith('/sign-in/')) return '/overview';
  return path;
}
