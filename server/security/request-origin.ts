import 'server-only';
/** The verdict on where a request came from, with the reason when it is refused. */
export type TOriginCheck = { ok: true } | { ok: false; reason: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request with this method may change state (and so needs an origin check with a cookie). */
export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

function originOf(value: string): string | null {
  return URL.canParse(value) ? new URL(value).origin : null;
}

/**
 * Whether a cookie-authenticated write comes from our own pages. The origin to match is the
 * public URL, never the request's Host or X-Forwarded-Host: those are whatever the client (or
 * a proxy passing the client's value on) wrote. Browsers send Origin on every POST; without it,
 * a same-origin Referer is the next best proof; a request with neither is refused, since a
 * browser can be made to send a cookie without them (an old browser, a stripped header).
 */
export function checkWriteOrigin({
  headers,
  expectedOrigin,
}: {
  headers: Headers;
  expectedOrigin: string;
}): TOriginCheck {
  // Set by the browser itself, so no page can forge it; a cross-site write is refused even
  // if something upstream rewrote Origin.
  const site = headers.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return { ok: false, reason: `the browser marked it ${site}` };
  const origin = headers.get('origin');
  if (origin !== null) {
    // `Origin: null` comes from sandboxed frames, data: URLs and some redirects: never ours.
    if (originOf(origin) === expectedOrigin) return { ok: true };
    return { ok: false, reason: `its Origin ${JSON.stringify(origin)} is not ${expectedOrigin}` };
  }
  const referer = headers.get('referer');
  if (referer !== null) {
    if (originOf(referer) === expectedOrigin) return { ok: true };
    return { ok: false, reason: `it has no Origin and its Referer is not on ${expectedOrigin}` };
  }
  return { ok: false, reason: 'it names neither Origin nor Referer' };
}
