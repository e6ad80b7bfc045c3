import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { digestOf } from '@/server/db/named-statements';

it('names a text by its sha1 whether or not it was seen before, and tells texts apart', () => {
  const sha = (text: string) => createHash('sha1').update(text).digest('hex').slice(0, 20);
  const text = `/* pw:named */ SELECT ${'x, '.repeat(500)}1`;
  expect(digestOf(text)).toBe(sha(text));
  expect(digestOf(`${text}`)).toBe(sha(text));
  expect(digestOf(`${text} `)).toBe(sha(`${text} `));
  // Past the bound the remembered digests are dropped, never mixed up.
  for (let i = 0; i < 600; i++) expect(digestOf(`SELECT ${i}`)).toBe(sha(`SELECT ${i}`));
  expect(digestOf(text)).toBe(sha(text));
});
