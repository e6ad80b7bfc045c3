/* global console */
// Verifies a Pipewright webhook (webhook.send@1) in Node: pass the raw request body exactly as
// received (before any JSON parsing), the Pipewright-Signature header and the shared secret.
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import process from 'node:process';

export function verifyPipewrightSignature(rawBody, header, secret, toleranceSeconds = 300) {
  const parts = Object.fromEntries(
    String(header ?? '')
      .split(',')
      .map((part) => part.trim().split('=')),
  );
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${rawBody}`).digest('hex');
  const given = String(parts.v1 ?? '');
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

// node verify-signature.mjs "<header>" <secret> < body.json  → prints "valid" or "invalid"
if (import.meta.url === `file://${process.argv[1]}`) {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const valid = verifyPipewrightSignature(Buffer.concat(chunks).toString('utf8'), process.argv[2], process.argv[3]);
  console.log(valid ? 'valid' : 'invalid');
  process.exit(valid ? 0 : 1);
}
