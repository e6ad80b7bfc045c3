import { describe, expect, it } from 'vitest';
import { basicAuthUsers, maskSecrets, SECRET_MASK, SecretMask } from '@/server/runtime/interpreter/mask-secrets';

/** Issue #15, item 4: a secret echoed in another encoding used to be stored as it came. */
const secret = 'Sp3c/Val+ue "q" x&y=z é~';

function maskOf(values: string[], users: string[] = []): SecretMask {
  const mask = new SecretMask();
  for (const value of values) mask.addSecret(value);
  for (const user of users) mask.addBasicUser(user);
  return mask;
}

describe('maskSecrets', () => {
  it('masks the value as it is, in strings and keys, anywhere in the value', () => {
    const mask = maskOf([secret]);
    expect(maskSecrets({ a: [`Bearer ${secret}`], [secret]: 1 }, mask)).toEqual({
      a: [`Bearer ${SECRET_MASK}`],
      [SECRET_MASK]: 1,
    });
  });

  it('masks the common encodings of the value', () => {
    const mask = maskOf([secret]);
    const base64 = Buffer.from(secret).toString('base64');
    const encodings: Record<string, string> = {
      encodeURIComponent: encodeURIComponent(secret),
      lowerCaseHex: encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (s) => s.toLowerCase()),
      form: new URLSearchParams({ x: secret }).toString().slice(2),
      formPercent20: encodeURIComponent(secret).replace(/%20/g, '+'),
      encodeURI: encodeURI(secret),
      json: JSON.stringify(secret).slice(1, -1),
      jsonAscii: JSON.stringify(secret)
        .slice(1, -1)
        .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      jsonSlash: JSON.stringify(secret).slice(1, -1).replaceAll('/', '\\/'),
      base64,
      base64Unpadded: base64.replace(/=+$/, ''),
      base64url: Buffer.from(secret).toString('base64url'),
    };
    for (const [name, encoded] of Object.entries(encodings)) {
      expect(encoded, name).not.toBe(secret);
      const masked = maskSecrets({ text: `before ${encoded} after` }, mask) as { text: string };
      expect([name, masked.text]).toEqual([name, `before ${SECRET_MASK} after`]);
    }
    // Inside an echoed URL, the query string encoded as a form would be.
    const url = new URL('https://api.example.com/echo');
    url.searchParams.set('token', secret);
    expect(maskSecrets(url.href, mask)).toBe(`https://api.example.com/echo?token=${SECRET_MASK}`);
  });

  it('masks base64 of user:value for Basic auth, for the users the step config names', () => {
    const mask = maskOf([secret], ['alice']);
    const basic = Buffer.from(`alice:${secret}`).toString('base64');
    expect(maskSecrets(`Authorization: Basic ${basic}`, mask)).toBe(`Authorization: Basic ${SECRET_MASK}`);
    // A secret read after the user was named is combined with it too.
    mask.addSecret('second-secret');
    expect(maskSecrets(Buffer.from('alice:second-secret').toString('base64'), mask)).toBe(SECRET_MASK);
  });

  it('finds Basic users in an action input: user-like keys and URL user names', () => {
    expect(
      basicAuthUsers({
        url: 'https://bob@api.example.com/x',
        auth: { username: 'carol', password: 'p' },
        nested: [{ client_id: 'app-1' }],
        user: 5,
        login: 'dave',
      }).sort(),
    ).toEqual(['app-1', 'bob', 'carol', 'dave']);
  });

  it('leaves values shorter than 4 characters alone, and unrelated text as it is', () => {
    const mask = maskOf(['abc', secret]);
    expect(maskSecrets('abc abcd', mask)).toBe('abc abcd');
    expect(mask.has('abc abcd')).toBe(false);
    expect(mask.has(`x${encodeURIComponent(secret)}`)).toBe(true);
  });
});

describe('secretEncodings', () => {
  it('copes with a value no URI encoder can encode (a lone surrogate) instead of failing the step', () => {
    const mask = maskOf(['ab\ud800cd']);
    expect(maskSecrets('x ab\ud800cd y', mask)).toBe(`x ${SECRET_MASK} y`);
  });
});
