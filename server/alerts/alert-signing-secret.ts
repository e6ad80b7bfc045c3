import 'server-only';
import { randomBytes } from 'node:crypto';
import { openSecret, sealSecret } from '@/server/secrets/secret-cipher';

/** The name an alert rule's signing key is sealed under (bound into the ciphertext with the tenant). */
const nameOf = (ruleId: string) => `alert-rule:${ruleId}`;

/** A new signing key for an alert rule's webhooks, and its sealed form for the database. */
export function newAlertSigningSecret({ tenantId, ruleId }: { tenantId: string; ruleId: string }) {
  const value = `whsec_${randomBytes(24).toString('base64url')}`;
  const sealed = sealSecret({ tenantId, name: nameOf(ruleId), value });
  const stored = [sealed.iv, sealed.authTag, sealed.ciphertext].map((part) => part.toString('base64')).join('.');
  return { value, stored };
}

/** The signing key of a rule, for the evaluator's delivery only. */
export function openAlertSigningSecret({
  tenantId,
  ruleId,
  stored,
}: {
  tenantId: string;
  ruleId: string;
  stored: string;
}) {
  const [iv, authTag, ciphertext] = stored.split('.').map((part) => Buffer.from(part, 'base64'));
  return openSecret({
    tenantId,
    name: nameOf(ruleId),
    sealed: { iv: iv!, authTag: authTag!, ciphertext: ciphertext! },
  });
}
