import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { publicBaseUrl } from '@/server/security/public-origin';
import { openSecret, sealSecret, type TSealedSecret } from '@/server/secrets/secret-cipher';

/** The path every webhook URL starts with. */
export const HOOK_PATH = '/api/v1/hooks/';

/**
 * A new webhook token: 256 random bits, URL-safe. Looked up by its SHA-256 (so the lookup
 * reveals nothing through timing) and kept sealed under PIPEWRIGHT_SECRET_KEY, with the trigger
 * as associated data, so the URL can be shown again to the people managing the trigger while a
 * copy of the database alone does not reveal it.
 */
export function newWebhookToken(): string {
  return `pwh_${randomBytes(32).toString('base64url')}`;
}

export function hashWebhookToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const sealName = (triggerId: string) => `webhook-trigger:${triggerId}`;

export function sealWebhookToken({
  tenantId,
  triggerId,
  token,
}: {
  tenantId: string;
  triggerId: string;
  token: string;
}): TSealedSecret {
  return sealSecret({ tenantId, name: sealName(triggerId), value: token });
}

export function openWebhookToken({
  tenantId,
  triggerId,
  sealed,
}: {
  tenantId: string;
  triggerId: string;
  sealed: TSealedSecret;
}): string {
  return openSecret({ tenantId, name: sealName(triggerId), sealed });
}

export function webhookUrl(token: string): string {
  return `${publicBaseUrl()}${HOOK_PATH}${token}`;
}
