import 'server-only';
import type { z } from 'zod';
import { ZWebhookSendInput } from '@/server/runtime/actions/webhook-send';
import { fetchStepError, responseStepError } from '@/server/runtime/actions/handlers/http-step-error';
import { SIGNATURE_HEADER, signWebhookBody } from '@/server/runtime/actions/handlers/sign-webhook-body';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import type { TEgressAllowList } from '@/server/security/egress-allowlist';
import type { TEgressConnectionPool } from '@/server/security/egress-connection-pool';
import type { TResolveHost } from '@/server/security/egress-guard';
import { guardedFetch } from '@/server/security/guarded-fetch';
import { GuardedFetchError } from '@/server/security/guarded-fetch-error';

export type TWebhookSendHandlerArgs = {
  input: unknown;
  signal: AbortSignal;
  idempotencyKey: string;
  allow: TEgressAllowList;
  /** Seconds since the epoch; tests pin it, production reads the clock on every attempt. */
  now?: () => number;
  resolveHost?: TResolveHost;
  /** Asked right before the request is written (TActionInvocation.assertLeaseHeld); a throw sends nothing. */
  beforeSend?: () => void;
  /** W3C trace context of the step (SPEC §8). */
  traceparent?: string;
  /** The tenant's keep-alive connections (egressPoolFromEnv); without it, a new connection per call. */
  pool?: TEgressConnectionPool;
};

/** Receivers answer quickly or queue the work; a webhook that takes longer is treated as down. */
export const WEBHOOK_TIMEOUT_MS = 30_000;

/**
 * webhook.send@1 (SPEC §4.4): POSTs `payload` as JSON through the guarded client, signed with
 * `Pipewright-Signature: t=<unix>,v1=<hex>` when a secret is given, with the idempotency key
 * as `Idempotency-Key`. Every attempt signs anew, so a retry after a long backoff still
 * carries a fresh timestamp. Retries as http.request does: 5xx, 429 and network errors.
 */
export async function webhookSendHandler({
  input: raw,
  signal,
  idempotencyKey,
  allow,
  now,
  resolveHost,
  beforeSend,
  traceparent,
  pool,
}: TWebhookSendHandlerArgs): Promise<{ output: { status: number } } | { error: TStepError }> {
  const parsed = ZWebhookSendInput.safeParse(raw);
  if (!parsed.success) {
    return {
      error: {
        code: 'VALIDATION',
        message: `Invalid input for webhook.send@1: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        retryable: false,
      },
    };
  }
  const input: z.infer<typeof ZWebhookSendInput> = parsed.data;
  const body = JSON.stringify(input.payload ?? null);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Pipewright-Webhook/1',
    'idempotency-key': idempotencyKey,
    ...(traceparent ? { traceparent } : {}),
  };
  if (input.secret !== undefined) {
    const timestamp = now ? now() : Math.floor(Date.now() / 1000);
    headers[SIGNATURE_HEADER.toLowerCase()] = signWebhookBody({ secret: input.secret, body, timestamp });
  }
  try {
    const response = await guardedFetch({
      url: input.url,
      method: 'POST',
      headers,
      body,
      signal,
      timeoutMs: WEBHOOK_TIMEOUT_MS,
      allow,
      resolveHost,
      beforeSend,
      pool,
    });
    if (response.status >= 400) return { error: responseStepError('POST', input.url, response) };
    return { output: { status: response.status } };
  } catch (error) {
    if (error instanceof GuardedFetchError) return { error: fetchStepError(error) };
    throw error;
  }
}
