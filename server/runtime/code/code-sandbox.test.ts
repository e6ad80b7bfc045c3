import { afterAll, describe, expect, it } from 'vitest';
import { CodePool } from './code-pool';
import { checkCodeSyntax, runCode } from './run-code';

// One pool for the file: every hostile evaluation below is followed by a healthy one on it.
const pool = new CodePool({ size: 1 });
afterAll(() => pool.close());

const run = (source: string, input: unknown = null, limits: { timeoutMs?: number; memoryMb?: number } = {}) =>
  runCode({ source, input, pool, ...limits });

/** The pool still answers a plain evaluation correctly after whatever came before (time is no part of it). */
async function expectHealthy() {
  expect(await run('return input.a + 1', { a: 41 }, { timeoutMs: 10_000 })).toMatchObject({ ok: true, value: 42 });
}

describe('code.js in QuickJS', () => {
  it('gets a plain JSON copy of its input, returns JSON, awaits promises and logs through console', async () => {
    const outcome = await run(
      [
        'console.log("total", input.lines.length, { first: input.lines[0] });',
        'console.warn("careful");',
        'const doubled = await Promise.resolve(input.lines.map((n) => n * 2));',
        'return { doubled, when: typeof Date.now(), fn: () => 1, missing: undefined, date: new Date(0) };',
      ].join('\n'),
      { lines: [1, 2, 3] },
    );
    expect(outcome).toMatchObject({
      ok: true,
      value: { doubled: [2, 4, 6], when: 'number', date: '1970-01-01T00:00:00.000Z' },
      logs: [
        { level: 'info', message: 'total 3 {"first":1}' },
        { level: 'warn', message: 'careful' },
      ],
    });
    expect(Object.keys((outcome as { value: object }).value)).not.toContain('fn');
    expect(await run('return undefined')).toMatchObject({ ok: true, value: null });
  });

  it('reports a thrown error with its message and line, and a syntax error with its line', async () => {
    expect(await run('const a = 1;\nconst b = 2;\nthrow new Error("boom " + (a + b));')).toMatchObject({
      ok: false,
      failure: { code: 'CODE', message: 'Error: boom 3', line: 3 },
    });
    expect(await run('const a = 1;\nlet x = ;')).toMatchObject({ ok: false, failure: { code: 'CODE', line: 2 } });
    expect(await run('throw "plain text"')).toMatchObject({
      ok: false,
      failure: { code: 'CODE', message: 'Uncaught plain text' },
    });
    expect(await checkCodeSyntax('const a = 1;\nreturn (', pool)).toMatchObject({
      ok: false,
      failure: { code: 'CODE', line: 2 },
    });
    expect(await checkCodeSyntax('while (true) {}', pool)).toMatchObject({ ok: true });
    await expectHealthy();
  });

  it.each([
    ['process', 'return typeof process === "undefined" ? "none" : process.pid', 'none'],
    ['require', 'return typeof require', 'undefined'],
    ['fetch', 'return typeof fetch + typeof XMLHttpRequest + typeof WebSocket', 'undefinedundefinedundefined'],
    ['timers', 'return typeof setTimeout + typeof setInterval + typeof queueMicrotask', 'undefinedundefinedundefined'],
    [
      'globalThis',
      'return Object.getOwnPropertyNames(globalThis).filter((k) => /process|require|module|__pw|std|os/.test(k))',
      [],
    ],
  ])('has no %s of the host', async (_name, source, expected) => {
    expect(await run(source)).toMatchObject({ ok: true, value: expected });
  });

  it('cannot import anything', async () => {
    for (const source of [
      'return await import("fs")',
      'return await import("node:child_process")',
      'return await import("./code.js")',
    ]) {
      expect(await run(source), source).toMatchObject({
        ok: false,
        failure: { code: 'CODE', message: expect.stringMatching(/could not load module/) },
      });
    }
    expect(await run('import fs from "fs"; return 1')).toMatchObject({ ok: false, failure: { code: 'CODE' } });
    await expectHealthy();
  });

  it('reaches only its own sandbox through Function-constructor tricks', async () => {
    const tricks = [
      'return this.constructor.constructor("return process")()',
      'return (function () {}).constructor("return process.mainModule")()',
      'return (async () => {}).constructor("return require")()',
      'return Function("return globalThis")().process.env',
      'return eval("process")',
    ];
    for (const source of tricks) {
      expect(await run(source), source).toMatchObject({
        ok: false,
        failure: { code: 'CODE', message: expect.stringMatching(/not defined|undefined|cannot read/i) },
      });
    }
    // The sandbox's own Function works, and only inside it.
    expect(await run('return Function("a", "return a * 2")(21)')).toMatchObject({ ok: true, value: 42 });
  });

  it('cannot pollute the host through the objects it returns', async () => {
    const outcome = await run(
      [
        'Object.prototype.polluted = "sandbox only";',
        'const value = JSON.parse(\'{"__proto__": {"polluted": true}, \' +',
        '  \'"constructor": {"prototype": {"polluted": true}}}\');',
        'value.own = ({}).polluted;',
        'return value;',
      ].join('\n'),
    );
    expect(outcome.ok).toBe(true);
    const value = (outcome as { value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(value.own).toBe('sandbox only');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    // Replacing JSON inside changes nothing about how the result leaves.
    expect(
      await run('JSON.stringify = () => "{\\"hacked\\":1}"; JSON.parse = () => 1; return { fine: true }'),
    ).toMatchObject({ ok: true, value: { fine: true } });
  });

  it('stops an endless loop with TIMEOUT, also one that catches everything', async () => {
    expect(await run('for (;;) {}', null, { timeoutMs: 200 })).toMatchObject({
      ok: false,
      failure: { code: 'TIMEOUT' },
    });
    expect(await run('for (;;) { try { for (;;) {} } catch (e) {} }', null, { timeoutMs: 200 })).toMatchObject({
      ok: false,
      failure: { code: 'TIMEOUT' },
    });
    expect(await run('await new Promise(() => {}); return 1')).toMatchObject({
      ok: false,
      failure: { code: 'TIMEOUT' },
    });
    await expectHealthy();
  });

  it('stops a memory bomb with CODE_LIMIT at the memory limit', async () => {
    const bomb = 'const hoard = []; for (;;) hoard.push(new Array(100000).fill(hoard.length));';
    // The time limit is far away: the memory limit must be what stops it, however loaded the machine.
    expect(await run(bomb, null, { memoryMb: 8, timeoutMs: 10_000 })).toMatchObject({
      ok: false,
      failure: { code: 'CODE_LIMIT', message: expect.stringMatching(/memory/) },
    });
    await expectHealthy();
  });

  it('stops deep recursion with CODE_LIMIT, and recursion that swallows the overflow with TIMEOUT', async () => {
    expect(await run('const f = (n) => f(n + 1) + 1; return f(0)', null, { timeoutMs: 10_000 })).toMatchObject({
      ok: false,
      failure: { code: 'CODE_LIMIT', message: expect.stringMatching(/recursed/) },
    });
    const swallowing = 'const f = (n) => { try { return f(n + 1) + 1 } catch (e) { return f(n + 1) } }; return f(0)';
    expect(await run(swallowing, null, { timeoutMs: 200 })).toMatchObject({ ok: false, failure: { code: 'TIMEOUT' } });
    await expectHealthy();
  });

  it('refuses a 10 MB result with CODE_LIMIT before copying it out', async () => {
    expect(await run('return "x".repeat(10 * 1024 * 1024)', null, { memoryMb: 64, timeoutMs: 10_000 })).toMatchObject({
      ok: false,
      failure: { code: 'CODE_LIMIT', message: expect.stringMatching(/at most 1048576/) },
    });
    await expectHealthy();
  });

  it('keeps at most 100 console lines of at most 2000 characters, and says how many it dropped', async () => {
    const outcome = await run('for (let i = 0; i < 500; i++) console.log("x".repeat(5000)); return 1');
    expect(outcome.logs).toHaveLength(101);
    expect(outcome.logs[0]!.message).toHaveLength(2001);
    expect(outcome.logs[100]).toEqual({
      level: 'warn',
      message: '400 more console lines were dropped (at most 100 are kept)',
    });
  });
});
