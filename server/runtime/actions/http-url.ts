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
 * An absolute http(s) URL. Other schemes (file:, ftp:, data:) are refused here; whether the
 * host may be reached (private networks, PIPEWRIGHT_EGRESS_ALLOW) is decided at connect time.
 */
export const ZHttpUrl = z.string().url(MESSAGE).max(8192).refine(hasHttpScheme, MESSAGE);
