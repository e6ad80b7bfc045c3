import { z } from 'zod';

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/**
 * An absolute http(s) URL. Other schemes (file:, ftp:, data:) are refused here; whether the
 * host may be reached (private networks, PIPEWRIGHT_EGRESS_ALLOW) is decided at connect time.
 */
export const ZHttpUrl = z.string().max(8192).refine(isHttpUrl, 'must be an absolute http:// or https:// URL');
