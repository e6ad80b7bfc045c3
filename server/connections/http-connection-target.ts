import 'server-only';
import type { THttpConnectionConfig } from '@/model/connections/connection-config';
import type { TStepError } from '@/server/runtime/nodes/node-result';

/**
 * The absolute URL a request through an http connection goes to. A relative `url` is a path
 * under `baseUrl` (`https://api.example.com/v2` + `items/7` or `/items/7` →
 * `https://api.example.com/v2/items/7`; `?`/`#` parts kept). An absolute one is allowed only on
 * baseUrl's origin: the connection's credential goes nowhere else.
 */
export function httpConnectionUrl(baseUrl: string, url: string): { url: string } | { error: TStepError } {
  const base = new URL(baseUrl);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    if (!URL.canParse(url) || new URL(url).origin !== base.origin)
      return {
        error: {
          code: 'VALIDATION',
          message: `With a connection, the URL must be a path under its baseUrl or an address on ${base.origin}.`,
          retryable: false,
        },
      };
    return { url };
  }
  if (url.startsWith('//'))
    return { error: { code: 'VALIDATION', message: 'A relative URL must not start with "//".', retryable: false } };
  const root = base.href.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const joined = url === '' ? root : `${root}/${url.replace(/^\/+/, '')}`;
  if (!URL.canParse(joined))
    return { error: { code: 'VALIDATION', message: 'The URL is not valid under the baseUrl.', retryable: false } };
  const resolved = new URL(joined);
  // `..` segments must not climb out of the base path (where the credential is meant to go).
  if (
    resolved.origin !== base.origin ||
    !`${resolved.pathname}/`.startsWith(`${new URL(root).pathname.replace(/\/$/, '')}/`)
  )
    return {
      error: { code: 'VALIDATION', message: "The URL climbs out of the connection's baseUrl.", retryable: false },
    };
  return { url: resolved.href };
}

/** The auth of an http connection as headers and query parameters to add (the step's own win). */
export function httpConnectionAuth(config: THttpConnectionConfig): {
  headers: Record<string, string>;
  query: Record<string, string>;
} {
  const { auth } = config;
  switch (auth.type) {
    case 'bearer':
      return { headers: { authorization: `Bearer ${auth.token}` }, query: {} };
    case 'basic':
      return {
        headers: { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` },
        query: {},
      };
    case 'header':
      return { headers: { [auth.name]: auth.value }, query: {} };
    case 'query':
      return { headers: {}, query: { [auth.name]: auth.value } };
    case 'none':
      return { headers: {}, query: {} };
  }
}
