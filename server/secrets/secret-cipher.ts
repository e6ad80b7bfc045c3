import 'server-only';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { secretKey } from '@/server/config';
import { AppError } from '@/model/errors';

export type TSealedSecret = { ciphertext: Buffer; iv: Buffer; authTag: Buffer };

// The tenant and the name are bound into every ciphertext as associated data, so a
// ciphertext copied to another tenant's row, or renamed, no longer decrypts.
function associatedData(tenantId: string, name: string): Buffer {
  return Buffer.from(`pipewright:secret:v1:${tenantId}:${name}`, 'utf8');
}

/** Encrypts a secret value with AES-256-GCM under the install's key. */
export function sealSecret({
  tenantId,
  name,
  value,
  key = secretKey(),
}: {
  tenantId: string;
  name: string;
  value: string;
  key?: Buffer;
}): TSealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(tenantId, name));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { ciphertext, iv, authTag: cipher.getAuthTag() };
}

/** Decrypts a sealed secret; fails with SECRET_UNREADABLE when the key, tenant or name differ. */
export function openSecret({
  tenantId,
  name,
  sealed,
  key = secretKey(),
}: {
  tenantId: string;
  name: string;
  sealed: TSealedSecret;
  key?: Buffer;
}): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    decipher.setAAD(associatedData(tenantId, name));
    decipher.setAuthTag(sealed.authTag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  } catch (error) {
    // Never include the ciphertext or key material; the reason is always "it does not authenticate".
    throw new AppError(
      'CONFIG',
      `Secret "${name}" cannot be decrypted: it was sealed for another tenant or name, or PIPEWRIGHT_SECRET_KEY changed.`,
      {
        cause: (error as Error).message,
      },
    );
  }
}
