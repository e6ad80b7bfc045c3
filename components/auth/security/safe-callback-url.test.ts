import { describe, expect, it } from 'vitest';
import { safeCallbackUrl } from '@/components/auth/safe-callback-url';

// Issue #15, item 9: browsers drop tabs and newlines from URLs and read `\` as `/`, so a
// value that starts with one slash can still name another host once a browser has read it.
describe('safeCallbackUrl', () => {
  it.each([
    ['/\t/127.0.0.2:8999/tab'],
    ['/\n/127.0.0.2:8999/nl'],
    ['/\r\n/evil.example'],
    ['\n//evil.example'],
    ['//evil.example/x'],
    ['/\\evil.example'],
    ['\\/evil.example'],
    ['https://evil.example/x'],
    ['javascript:alert(1)'],
    ['/ /evil.example'],
    // A literal space never comes from our own links (they are encoded); refusing it leaves
    // nothing for a browser to read differently.
    ['/workflows/a b'],
    ['\n'],
    [''],
    ['relative/path'],
    ['/sign-in?callbackUrl=/overview'],
    ['/%2F/evil.example'.replace('%2F', '/')],
  ])('sends %j to the Overview', (value) => {
    expect(safeCallbackUrl(value)).toBe('/overview');
  });

  it.each([
    ['/workflows', '/workflows'],
    ['/runs?status=FAILED#top', '/runs?status=FAILED#top'],
    ['/settings/secrets', '/settings/secrets'],
    // Non-ASCII is percent-encoded, so the Location header it becomes is valid (it was a 500).
    ['/。/', '/%E3%80%82/'],
    ['/workflows/../settings/tokens', '/settings/tokens'],
    ['/workflows/a%20b', '/workflows/a%20b'],
  ])('keeps the same-origin path %j as %j', (value, expected) => {
    expect(safeCallbackUrl(value)).toBe(expected);
  });

  it('takes the first of repeated parameters and ignores a missing one', () => {
    expect(safeCallbackUrl(['/runs', '//evil.example'])).toBe('/runs');
    expect(safeCallbackUrl(undefined)).toBe('/overview');
  });
});
