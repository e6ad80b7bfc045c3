import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLocalDefaults, loadLocalState, secretKey } from '@/server/config';
import { AppError } from '@/model/errors';

const KEYS = ['PIPEWRIGHT_DATA_DIR', 'PIPEWRIGHT_SECRET_KEY', 'NEXTAUTH_SECRET'] as const;
let saved: Partial<Record<(typeof KEYS)[number], string>>;
let dir: string;

beforeEach(() => {
  saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  dir = mkdtempSync(path.join(os.tmpdir(), 'pipewright-config-'));
  process.env.PIPEWRIGHT_DATA_DIR = path.join(dir, 'data');
});
afterEach(() => {
  for (const key of KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  rmSync(dir, { recursive: true, force: true });
});

/** An environment of just these variables (NODE_ENV is a required key in Next's typings). */
function envOf(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { NODE_ENV: 'test', ...vars };
}

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  }
  throw new Error('expected a CONFIG error, but the call succeeded');
}

describe('applyLocalDefaults in production', () => {
  it('refuses to start without PIPEWRIGHT_SECRET_KEY (CONFIG) and writes no local.json', () => {
    expect(codeOf(() => applyLocalDefaults(envOf({ NEXTAUTH_SECRET: 'x'.repeat(40) }), { production: true }))).toBe(
      'CONFIG',
    );
    expect(() => statSync(path.join(dir, 'data', 'local.json'))).toThrow();
  });

  it('reads NODE_ENV=production by default', () => {
    const env = process.env as Record<string, string | undefined>;
    const nodeEnv = env.NODE_ENV;
    env.NODE_ENV = 'production';
    try {
      expect(codeOf(() => applyLocalDefaults(envOf()))).toBe('CONFIG');
    } finally {
      env.NODE_ENV = nodeEnv;
    }
  });

  it('refuses to start without NEXTAUTH_SECRET', () => {
    expect(
      codeOf(() =>
        applyLocalDefaults(envOf({ PIPEWRIGHT_SECRET_KEY: randomBytes(32).toString('base64') }), { production: true }),
      ),
    ).toBe('CONFIG');
  });

  it('uses the given secrets and touches no local state', () => {
    const env = { PIPEWRIGHT_SECRET_KEY: randomBytes(32).toString('base64'), NEXTAUTH_SECRET: 'y'.repeat(40) };
    expect(applyLocalDefaults(envOf(env), { production: true })).toBeNull();
  });
});

describe('applyLocalDefaults in development', () => {
  it('fills missing secrets from the data dir, the same ones on every start', () => {
    const first = envOf();
    applyLocalDefaults(first, { production: false });
    const second = envOf();
    applyLocalDefaults(second, { production: false });
    expect(first.PIPEWRIGHT_SECRET_KEY).toEqual(expect.any(String));
    expect(Buffer.from(first.PIPEWRIGHT_SECRET_KEY!, 'base64')).toHaveLength(32);
    expect(second).toEqual(first);
  });

  it('never overrides a secret the environment sets', () => {
    const env = envOf({ NEXTAUTH_SECRET: 'from-the-environment-000000000000000' });
    applyLocalDefaults(env, { production: false });
    expect(env.NEXTAUTH_SECRET).toBe('from-the-environment-000000000000000');
    expect(env.PIPEWRIGHT_SECRET_KEY).toEqual(expect.any(String));
  });
});

describe('secretKey', () => {
  it('accepts exactly 32 bytes of base64', () => {
    const key = randomBytes(32);
    process.env.PIPEWRIGHT_SECRET_KEY = key.toString('base64');
    expect(secretKey().equals(key)).toBe(true);
  });

  it('rejects a key that is not 32 bytes, or none, with CONFIG', () => {
    for (const bytes of [16, 31, 33, 64]) {
      process.env.PIPEWRIGHT_SECRET_KEY = randomBytes(bytes).toString('base64');
      expect(
        codeOf(() => secretKey()),
        `${bytes} bytes`,
      ).toBe('CONFIG');
    }
    process.env.PIPEWRIGHT_SECRET_KEY = 'not base64 at all!';
    expect(codeOf(() => secretKey())).toBe('CONFIG');
    delete process.env.PIPEWRIGHT_SECRET_KEY;
    expect(codeOf(() => secretKey())).toBe('CONFIG');
  });
});

describe('loadLocalState', () => {
  it('creates local.json readable by its owner only and returns the same values next time', () => {
    const first = loadLocalState();
    const file = path.join(dir, 'data', 'local.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first).toEqual({
      dbPassword: expect.any(String),
      secretKey: expect.any(String),
      nextauthSecret: expect.any(String),
    });
    expect(Buffer.from(first.secretKey, 'base64')).toHaveLength(32);
    expect(loadLocalState()).toEqual(first);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
  });

  it('says which file is damaged instead of silently replacing it', () => {
    const first = loadLocalState();
    const file = path.join(dir, 'data', 'local.json');
    for (const damaged of [JSON.stringify({ ...first, dbPassword: 'short' }), '{"dbPassword": "trunc']) {
      writeFileSync(file, damaged);
      let caught: unknown;
      try {
        loadLocalState();
      } catch (error) {
        caught = error;
      }
      expect(caught, damaged).toBeInstanceOf(AppError);
      expect((caught as AppError).code).toBe('CONFIG');
      expect((caught as AppError).message).toContain(file);
      expect(readFileSync(file, 'utf8')).toBe(damaged);
    }
  });
});
