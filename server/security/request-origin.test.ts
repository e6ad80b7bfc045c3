import { describe, expect, it } from 'vitest';
import { checkWriteOrigin } from '@/server/security/request-origin';

// Issue #15, item 10: the origin a cookie-authenticated write must come from is the public
// URL (NEXTAUTH_URL), never something the request says about itself (Host, X-Forwarded-Host).
const expected = 'https://pipewright.example.com';
const check = (headers: Record<string, string>) =>
  checkWriteOrigin({ headers: new Headers(headers), expectedOrigin: expected });

describe('checkWriteOrigin', () => {
  it('accepts our own Origin, with or without a default port', () => {
    expect(check({ origin: 'https://pipewright.example.com' })).toEqual({ ok: true });
    expect(check({ origin: 'https://pipewright.example.com:443' })).toEqual({ ok: true });
  });

  it('refuses another origin even when X-Forwarded-Host and Host agree with it', () => {
    const result = check({ origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', host: 'evil.example' });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('https://evil.example') });
  });

  it.each([
    ['http://pipewright.example.com'],
    ['https://pipewright.example.com:8443'],
    ['https://sub.pipewright.example.com'],
    ['null'],
    ['not a url'],
  ])('refuses Origin %j', (origin) => {
    expect(check({ origin }).ok).toBe(false);
  });

  it('falls back to a same-origin Referer when there is no Origin, and refuses when there is neither', () => {
    expect(check({ referer: 'https://pipewright.example.com/settings/secrets?x=1' })).toEqual({ ok: true });
    expect(check({ referer: 'https://evil.example/https://pipewright.example.com/' }).ok).toBe(false);
    expect(check({ referer: 'not a url' }).ok).toBe(false);
    expect(check({})).toEqual({ ok: false, reason: expect.stringContaining('neither Origin nor Referer') });
  });

  it('refuses what the browser itself marks as cross-site, whatever Origin says', () => {
    expect(check({ origin: expected, 'sec-fetch-site': 'cross-site' }).ok).toBe(false);
    expect(check({ origin: expected, 'sec-fetch-site': 'same-origin' })).toEqual({ ok: true });
  });
});
