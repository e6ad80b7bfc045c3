import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from '@/server/triggers/verify-webhook-signature';

const secret = 'whsec-test';
const rawBody = Buffer.from('{"amount": 12.50, "note": "ünïcode"}');
const now = 1_800_000_000_000;
const t = Math.floor(now / 1000);
const good = `t=${t},v1=${signWebhookBody({ secret, timestamp: t, rawBody })}`;

describe('verifyWebhookSignature', () => {
  it('accepts the signature over the exact raw bytes', () => {
    expect(verifyWebhookSignature({ header: good, secret, rawBody, now })).toMatchObject({ ok: true });
    // The value that matched is what a replay would carry again (receiveWebhook keeps it).
    expect(
      verifyWebhookSignature({
        header: `v1=${'0'.repeat(64)}, t=${t}, v1=${good.split('v1=')[1]}`,
        secret,
        rawBody,
        now,
      }),
    ).toEqual({ ok: true, signature: good.split('v1=')[1], timestamp: t });
  });

  it('refuses a body that differs from the signed one by whitespace alone', () => {
    expect(
      verifyWebhookSignature({ header: good, secret, rawBody: Buffer.from('{"amount":12.50,"note":"ünïcode"}'), now }),
    ).toEqual({ ok: false, reason: 'the signature does not match' });
  });

  it('refuses missing, malformed, different-length, wrong and stale signatures', () => {
    const hex = signWebhookBody({ secret, timestamp: t, rawBody });
    const cases: Array<[string | null, string]> = [
      [null, 'the Pipewright-Signature header is missing'],
      ['garbage', 'the Pipewright-Signature header is malformed'],
      [`v1=${hex}`, 'the Pipewright-Signature header needs t=<unix seconds> and v1=<hex>'],
      [`t=${t}`, 'the Pipewright-Signature header needs t=<unix seconds> and v1=<hex>'],
      [`t=${t},v1=${hex.slice(0, 40)}`, 'the signature does not match'],
      [`t=${t},v1=${hex}00`, 'the signature does not match'],
      [`t=${t},v1=${signWebhookBody({ secret: 'other', timestamp: t, rawBody })}`, 'the signature does not match'],
      [
        `t=${t - 301},v1=${signWebhookBody({ secret, timestamp: t - 301, rawBody })}`,
        "the signature's timestamp is more than 300 s away from now",
      ],
      [
        `t=${t + 301},v1=${signWebhookBody({ secret, timestamp: t + 301, rawBody })}`,
        "the signature's timestamp is more than 300 s away from now",
      ],
    ];
    for (const [header, reason] of cases)
      expect(verifyWebhookSignature({ header, secret, rawBody, now }), String(header)).toEqual({ ok: false, reason });
  });

  it('accepts a timestamp 300 s old', () => {
    const old = t - 300;
    expect(
      verifyWebhookSignature({
        header: `t=${old},v1=${signWebhookBody({ secret, timestamp: old, rawBody })}`,
        secret,
        rawBody,
        now,
      }),
    ).toMatchObject({ ok: true });
  });
});
