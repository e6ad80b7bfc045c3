import { describe, expect, it } from 'vitest';
import { AppError } from '@/model/errors';
import {
  assertStorableJson,
  findTooDeepJsonText,
  findUnstorableJson,
  MAX_JSON_DEPTH,
  MAX_STORED_DEPTH,
  parseStorableJson,
  toStorableJson,
} from '@/server/db/storable-json';
import { createTestDatabase } from '@/test/database';

/** `[[[…]]]` nested `depth` arrays deep (built without recursion, as a hostile response would be). */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

describe('toStorableJson', () => {
  it('returns a value PostgreSQL can store as it is (the same object: nothing copied)', () => {
    const value = { a: [1, 'two', { three: null }], b: true, when: new Date(0) };
    const result = toStorableJson(value);
    expect(result).toEqual({ ok: true, value, replaced: 0 });
    expect(result.ok && result.value).toBe(value);
  });

  it('replaces NUL in strings and keys, and lone surrogates, with U+FFFD', () => {
    const result = toStorableJson({ 'k\u0000ey': ['x\u0000y', '\ud800', 'ok \ud83d\ude00'], n: 1 });
    expect(result).toEqual({
      ok: true,
      value: { 'k\ufffdey': ['x\ufffdy', '\ufffd', 'ok \ud83d\ude00'], n: 1 },
      replaced: 3,
    });
  });

  it('keeps values that are not plain objects (a Date in a wait request) as they are', () => {
    const at = new Date(1000);
    const result = toStorableJson({ resumeAt: at, note: '\u0000' });
    expect(result.ok && (result.value as { resumeAt: Date }).resumeAt).toBe(at);
  });

  it(`refuses a value nested deeper than ${MAX_JSON_DEPTH} levels, naming where, without overflowing the stack`, () => {
    expect(toStorableJson(nested(MAX_STORED_DEPTH)).ok).toBe(true);
    expect(findUnstorableJson(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(findUnstorableJson(nested(MAX_JSON_DEPTH + 1), 'body')?.message).toBe(
      `body${'[0]'.repeat(MAX_JSON_DEPTH)} is nested deeper than ${MAX_JSON_DEPTH} levels, which cannot be stored`.replace(
        /^(.{80}).*( is nested)/,
        '$1…$2',
      ),
    );
    const result = toStorableJson({ body: nested(10_000) }, { root: 'output' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(
      new RegExp(`^output\\.body(\\[0\\])+… is nested deeper than ${MAX_STORED_DEPTH} levels`),
    );
    expect(toStorableJson({ output: { a: '\u0000' } }, { root: '' })).toMatchObject({
      ok: true,
      value: { output: { a: '\ufffd' } },
    });
    expect(toStorableJson({ output: nested(200) }, { root: '' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^output\[0\]/),
    });
  });
});

describe('findUnstorableJson and assertStorableJson', () => {
  it('name the first string or key PostgreSQL would refuse', () => {
    expect(findUnstorableJson({ a: [{ b: 'ok' }] })).toBeNull();
    expect(findUnstorableJson({ payload: { lines: [{ sku: 'a\u0000' }] } }, 'body')).toEqual({
      path: 'body.payload.lines[0].sku',
      message: 'body.payload.lines[0].sku contains the NUL character (\\u0000), which cannot be stored',
    });
    expect(findUnstorableJson({ ['bad\u0000key']: 1 }, 'body')?.message).toMatch(
      /^body has a key that contains the NUL character/,
    );
    expect(findUnstorableJson(['\udc00'], 'body')?.message).toMatch(/^body\[0\] contains a lone UTF-16 surrogate/);
  });

  it('throws a VALIDATION AppError with the path in details', () => {
    let thrown: unknown;
    try {
      assertStorableJson({ event: 'x', payload: { a: 'x\u0000y' } }, 'body');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ code: 'VALIDATION', details: [{ path: 'body.payload.a' }] });
    expect(() => assertStorableJson({ fine: 'yes' }, 'body')).not.toThrow();
  });
});

describe('what PostgreSQL refuses, which these rules exist for', () => {
  it('jsonb refuses NUL and lone surrogates, and stores what toStorableJson returns', async () => {
    const t = await createTestDatabase('storable_json');
    try {
      const store = (value: unknown) =>
        t.db.selectNoFrom((eb) => eb.cast(eb.val(JSON.stringify(value)), 'jsonb').as('v')).executeTakeFirstOrThrow();
      await expect(store({ a: 'x\u0000y' })).rejects.toThrow(/unsupported Unicode escape sequence|\\u0000/);
      await expect(store({ a: '\ud800' })).rejects.toThrow();
      const safe = toStorableJson({ 'k\u0000': 'x\u0000y', s: '\ud800' });
      expect(safe.ok).toBe(true);
      await expect(store(safe.ok && safe.value)).resolves.toEqual({ v: { 'k\ufffd': 'x\ufffdy', s: '\ufffd' } });
      await expect(store(nested(MAX_STORED_DEPTH + 20))).resolves.toBeTruthy();
    } finally {
      await t.close();
    }
  });
});

describe('findTooDeepJsonText', () => {
  it('finds the first container past the limit on the text, naming its path like findUnstorableJson', () => {
    const text = `{"a":[1,{"b c":${'['.repeat(70)}${']'.repeat(70)}}],"z":"[[[[["}`;
    const value = JSON.parse(text) as unknown;
    expect(findTooDeepJsonText(text, 'body', 10)).toEqual(findUnstorableJson(value, 'body', 10));
    expect(findTooDeepJsonText(text, 'body', 10)?.path).toBe('body.a[1]["b c"][0][0][0][0][0][0][0]');
    expect(findTooDeepJsonText(text, 'body', 80)).toBeNull();
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(findTooDeepJsonText(`{"k\\"[[[":"${'['.repeat(100)}\\"${'{'.repeat(100)}"}`, 'body', 2)).toBeNull();
  });

  it('refuses 1,000,000 levels without building them', () => {
    expect(findTooDeepJsonText('['.repeat(1_000_000), 'body')?.message).toMatch(/nested deeper than 64 levels/);
  });
});

describe('parseStorableJson', () => {
  it('answers BAD_REQUEST for text that is not JSON and VALIDATION for what cannot be stored', () => {
    expect(() => parseStorableJson('{"a":', 'body')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => parseStorableJson('{"a":"\\u0000"}', 'body')).toThrow(
      expect.objectContaining({
        code: 'VALIDATION',
        message: expect.stringContaining('body.a contains the NUL character'),
      }),
    );
    expect(() => parseStorableJson('['.repeat(10_000), 'body')).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringContaining('nested deeper than 64 levels') }),
    );
    expect(parseStorableJson('{"a":[1]}', 'body')).toEqual({ a: [1] });
  });
});
