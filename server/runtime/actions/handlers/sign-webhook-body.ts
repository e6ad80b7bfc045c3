import 'server-only';
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'Pipewright-Signature';

/**
 * The `Pipewright-Signature` header value of SPEC §4.4: `t=<unix seconds>,v1=<hex>` where
 * v1 is HMAC-SHA256 with `secret` over `<t>.<body>`, the body exactly as sent.
 *
 * @example signWebhookBody({ secret: 'whsec_1', body: '{"a":1}', timestamp: 1763800000 })
 * // 't=1763800000,v1=5c0b…'
 */
export function signWebhookBody({
  secret,
  body,
  timestamp,
}: {
  secret: string;
  body: string;
  timestamp: number;
}): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}
