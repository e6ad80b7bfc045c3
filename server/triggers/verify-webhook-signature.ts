import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SIGNATURE_TOLERANCE_SECONDS } from '@/model/webhook-signature';

export const SIGNATURE_HEADER = 'pipewright-signature';

/** On success, the v1 value that matched and its timestamp: what a replay would send again. */
export type TSignatureCheck = { ok: true; signature: string; timestamp: number } | { ok: false; reason: string };

/** The `v1` signature of a body: hex HMAC-SHA256 of `t + "." + rawBody` (SPEC §4.4, §4.5). */
export function signWebhookBody({
  secret,
  timestamp,
  rawBody,
}: {
  secret: string;
  timestamp: number;
  rawBody: Buffer | string;
}): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/**
 * Checks `Pipewright-Signature: t=<unix>,v1=<hex>` over the raw body bytes as received. A
 * missing or malformed header, a timestamp outside ±300 s, or a signature that differs (in
 * any byte, or in length) fails; the comparison takes the same time wherever they differ.
 */
export function verifyWebhookSignature({
  header,
  secret,
  rawBody,
  now = Date.now(),
}: {
  header: string | null;
  secret: string;
  rawBody: Buffer;
  now?: number;
}): TSignatureCheck {
  if (!header) return { ok: false, reason: 'the Pipewright-Signature header is missing' };
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    if (at <= 0) return { ok: false, reason: 'the Pipewright-Signature header is malformed' };
    const name = item.slice(0, at).trim();
    parts.set(name, [...(parts.get(name) ?? []), item.slice(at + 1).trim()]);
  }
  const t = parts.get('t');
  const signatures = parts.get('v1') ?? [];
  if (!t || t.length !== 1 || !/^\d{1,12}$/.test(t[0] ?? '') || signatures.length === 0)
    return { ok: false, reason: 'the Pipewright-Signature header needs t=<unix seconds> and v1=<hex>' };
  const timestamp = Number(t[0]);
  if (Math.abs(now / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS)
    return {
      ok: false,
      reason: `the signature's timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} s away from now`,
    };
  const expected = Buffer.from(signWebhookBody({ secret, timestamp, rawBody }), 'utf8');
  // Any one of several v1 values may match (a sender rotating secrets sends both).
  const matched = signatures.find((candidate) => {
    const given = Buffer.from(candidate, 'utf8');
    // timingSafeEqual needs equal lengths; a length mismatch is a failure, never an exception.
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matched === undefined
    ? { ok: false, reason: 'the signature does not match' }
    : { ok: true, signature: matched, timestamp };
}
