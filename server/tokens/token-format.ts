import 'server-only';
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'pw_';

/** A new API token: `pw_` and 32 random bytes in base64url. */
export function generateApiToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * Tokens carry 256 bits of randomness, so a fast hash is enough to make the stored form
 * useless to a thief; a slow KDF would only slow every API call.
 */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What the UI shows to tell tokens apart: the prefix and a few characters. */
export function displayPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}
