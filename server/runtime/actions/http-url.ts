import 'server-only';
import { z } from 'zod';

const MESSAGE = 'must be an absolute http:// or https:// URL';

/** Unparseable URLs are already reported by `.url()`; this only adds the scheme check. */
function hasHttpScheme(value: string): boolean {
  if (!URL.canParse(value)) return true;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/**
 * Whether ZHttpUrl accepts `value` (it parses as a URL, is http(s), within 8192 characters),
 * without a zod parse: a refinement that checks a URL asks this first and parses with ZHttpUrl
 * only for its messages. `.url()` is `new URL(value)` succeeding, the same as URL.canParse.
 */
export function isHttpUrl(value: string): boolean {
  if (value.length > 8192 || !URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/**
 * An absolute http(s) URL. Other schemes (file:, ftp:, data:) are refused here; whether the
 * host may be reached (private networks, PIPEWRIGHT_EGRESS_ALLOW) is decided at connect time.
 */
export const ZHttpUrl = z.string().url(MESSAGE).max(8192).refine(hasHttpScheme, MESSAGE);
