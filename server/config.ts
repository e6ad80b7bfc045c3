import 'server-only';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '@/model/errors';

/** Where Pipewright keeps local state: the embedded database and generated development keys. */
export function dataDir(): string {
  return path.resolve(process.env.PIPEWRIGHT_DATA_DIR ?? './.data');
}

export const DEFAULT_ADMIN_EMAIL = 'admin@pipewright.local';

const ZLocalState = z.object({
  dbPassword: z.string().min(16),
  secretKey: z.string(),
  nextauthSecret: z.string().min(32),
  adminPassword: z.string().optional(),
});
export type TLocalState = z.infer<typeof ZLocalState>;

/**
 * Reads `<dataDir>/local.json`, creating it with fresh random values on first use. It holds
 * what a development install generates for itself so the next start is the same install:
 * the embedded database password, the secrets key, the session secret, the first admin's
 * generated password. The file is readable by its owner only.
 */
export function loadLocalState(dir = dataDir()): TLocalState {
  const file = path.join(dir, 'local.json');
  if (existsSync(file)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      // A truncated file (disk full, killed mid-write) must name itself, not surface as a bare SyntaxError.
      throw new AppError('CONFIG', `${file} is damaged: ${(error as Error).message}`);
    }
    const parsed = ZLocalState.safeParse(raw);
    if (!parsed.success)
      throw new AppError('CONFIG', `${file} is damaged: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
    return parsed.data;
  }
  mkdirSync(dir, { recursive: true });
  const state: TLocalState = {
    dbPassword: randomBytes(18).toString('base64url'),
    secretKey: randomBytes(32).toString('base64'),
    nextauthSecret: randomBytes(32).toString('base64url'),
  };
  saveLocalState(state, dir);
  return state;
}

export function saveLocalState(state: TLocalState, dir = dataDir()): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'local.json'), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function isProduction(): boolean {
  return process.env.NODE_ENV === 'production';
}

/**
 * Fills the secrets a process needs from the data dir when the environment leaves them
 * unset. In production (NODE_ENV=production, as set by the operator) the secrets key must be
 * given explicitly: a key generated on one machine would make every other machine's
 * secrets unreadable.
 */
export function applyLocalDefaults(env: NodeJS.ProcessEnv, { production = isProduction() } = {}): TLocalState | null {
  if (production && !env.PIPEWRIGHT_SECRET_KEY) {
    throw new AppError(
      'CONFIG',
      'PIPEWRIGHT_SECRET_KEY is required when NODE_ENV=production (32 random bytes, base64: `openssl rand -base64 32`).',
    );
  }
  if (production && !env.NEXTAUTH_SECRET) {
    throw new AppError('CONFIG', 'NEXTAUTH_SECRET is required when NODE_ENV=production.');
  }
  if (env.PIPEWRIGHT_SECRET_KEY && env.NEXTAUTH_SECRET) return null;
  const state = loadLocalState();
  env.PIPEWRIGHT_SECRET_KEY ??= state.secretKey;
  env.NEXTAUTH_SECRET ??= state.nextauthSecret;
  return state;
}

/** The 32-byte key that encrypts secrets at rest. */
export function secretKey(): Buffer {
  const raw = process.env.PIPEWRIGHT_SECRET_KEY;
  if (!raw) throw new AppError('CONFIG', 'PIPEWRIGHT_SECRET_KEY is not set.');
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32)
    throw new AppError(
      'CONFIG',
      `PIPEWRIGHT_SECRET_KEY must be 32 bytes in base64; it decodes to ${key.length} bytes.`,
    );
  return key;
}

export function port(): number {
  return Number(process.env.PORT ?? 3000);
}
