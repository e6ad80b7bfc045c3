import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import { parseStorableJson } from '@/server/db/storable-json';
import { AppError } from '@/model/errors';
import { ZRunStatus, isTerminal, type TRunStatus } from '@/model/run-status';
import { readSecretValue } from '@/server/secrets/read-secret-value';
import { waitForRunEnd } from '@/server/runs/wait-for-run-end';
import { ZWebhookTriggerConfig } from '@/model/definition/trigger-config';
import { consumeTriggerRate, rateLimitedError } from '@/server/triggers/consume-trigger-rate';
import { claimWebhookSignature } from '@/server/triggers/claim-webhook-signature';
import { readRawBody } from '@/server/triggers/read-raw-body';
import { recordTriggerFiring } from '@/server/triggers/record-trigger-firing';
import { startTriggeredRun } from '@/server/triggers/start-triggered-run';
import { selectTriggerRows } from '@/server/triggers/trigger-record';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '@/server/triggers/verify-webhook-signature';
import { hashWebhookToken } from '@/server/triggers/webhook-token';
import { captureListenedRequest } from '@/server/triggers/webhook-listen';

/** The largest webhook body accepted (413 beyond). */
export const MAX_HOOK_BODY_BYTES = 256 * 1024;

export const ZWebhookAnswer = z.object({
  runId: z.string(),
  status: ZRunStatus,
  output: z.unknown().optional(),
  error: z.unknown().optional(),
});
export type TWebhookAnswer = z.infer<typeof ZWebhookAnswer> & { finished: boolean };

/** Errors a webhook answers with, plus how long to wait before trying again after a 429. */
export class WebhookRefusal extends AppError {
  readonly retryAfterSeconds?: number;
  constructor(error: AppError, retryAfterSeconds?: number) {
    super(error.code, error.message, error.details);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * POST /hooks/{token} (SPEC §4.5): finds the enabled webhook trigger by the token's hash,
 * counts the request against its rate limit (429), reads the raw body (413 past 256 KiB),
 * checks the signature over those exact bytes when the trigger names a secret (401, no run),
 * refuses a signature this trigger already accepted (401, "replayed signature"), parses the JSON (400) and starts the run (422 when the input does not fit the parameter
 * schema, no run). `mode: sync` waits for the run's end up to the trigger's `waitMs`.
 * Every refusal after the lookup is kept as a firing of the trigger, except 429s, which
 * would let a flood fill the list.
 */
export async function receiveWebhook({
  db,
  token,
  request,
}: {
  db: Db;
  token: string;
  request: Request;
}): Promise<TWebhookAnswer> {
  const notFound = new AppError('NOT_FOUND', 'No webhook at this address.');
  if (!/^pwh_[A-Za-z0-9_-]{20,100}$/.test(token)) throw notFound;
  const row = await db
    .selectFrom('triggers')
    .select(['id', 'tenant_id', 'enabled'])
    .where('token_hash', '=', hashWebhookToken(token))
    .executeTakeFirst();
  if (!row || !row.enabled) throw notFound;
  const trigger = await selectTriggerRows(db, row.tenant_id).where('t.id', '=', row.id).executeTakeFirstOrThrow();
  const config = ZWebhookTriggerConfig.parse(trigger.config);
  const refuse = async (error: AppError, outcome: 'rejected' | 'failed' = 'rejected', note = error.message) => {
    await recordTriggerFiring({
      db,
      tenantId: trigger.tenant_id,
      triggerId: trigger.id,
      outcome,
      message: `${error.status}: ${note}`,
    });
    return new WebhookRefusal(error);
  };

  const limited = await consumeTriggerRate({ db, triggerId: trigger.id, limitPerMinute: config.rateLimitPerMinute });
  if (limited)
    throw new WebhookRefusal(
      rateLimitedError(config.rateLimitPerMinute, limited.retryAfterSeconds),
      limited.retryAfterSeconds,
    );

  let rawBody: Buffer;
  try {
    rawBody = await readRawBody(request, MAX_HOOK_BODY_BYTES);
  } catch (error) {
    if (error instanceof AppError) throw await refuse(error);
    throw error;
  }

  let signed: { signature: string; timestamp: number } | null = null;
  if (config.secret) {
    const unauthenticated = new AppError(
      'UNAUTHENTICATED',
      'The request is not signed correctly: send Pipewright-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body"> made with the shared secret.',
    );
    let secret: string;
    try {
      secret = await readSecretValue({ db, tenantId: trigger.tenant_id, name: config.secret });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'NOT_FOUND') throw error;
      // The sender learns nothing about the tenant's secrets; the trigger's firings say what is wrong.
      throw await refuse(
        unauthenticated,
        'failed',
        `the signing secret "${config.secret}" does not exist in this tenant`,
      );
    }
    const check = verifyWebhookSignature({ header: request.headers.get(SIGNATURE_HEADER), secret, rawBody });
    await captureListenedRequest({
      db,
      triggerId: trigger.id,
      request,
      rawBody,
      signature: check.ok
        ? { checked: true, ok: true, message: `signed with "${config.secret}", within 300 s` }
        : { checked: true, ok: false, message: check.reason },
    });
    if (!check.ok) throw await refuse(unauthenticated, 'rejected', check.reason);
    signed = check;
  } else {
    const message = 'this webhook has no signing secret, so any request is accepted';
    await captureListenedRequest({
      db,
      triggerId: trigger.id,
      request,
      rawBody,
      signature: { checked: false, ok: null, message },
    });
  }

  let input: unknown = {};
  const text = new TextDecoder().decode(rawBody);
  if (text.trim() !== '') {
    // Malformed (400), or JSON the run's input could not be stored as (422: too deep, NUL, a lone
    // surrogate, depth checked on the text first); both recorded as a firing.
    try {
      input = parseStorableJson(text, 'body');
    } catch (error) {
      if (error instanceof AppError) throw await refuse(error);
      throw error;
    }
  }

  const idempotencyHeader = request.headers.get('idempotency-key')?.trim();
  const idempotencyKey = idempotencyHeader ? `webhook:${trigger.id}:${idempotencyHeader.slice(0, 200)}` : undefined;
  // The signature is spent in the transaction that starts the run: a request that fails with a
  // 500 can be sent again, one that was answered cannot (not even with its Idempotency-Key:
  // the replay is refused before it could name a run).
  const started = await db.transaction().execute(async (tx) => {
    if (signed && !(await claimWebhookSignature({ tx, triggerId: trigger.id, ...signed }))) return 'replayed' as const;
    return startTriggeredRun({
      tx,
      trigger,
      input,
      actor: { type: 'system', name: 'webhook trigger' },
      idempotencyKey,
    });
  });
  if (started === 'replayed') {
    const replayed = new AppError(
      'UNAUTHENTICATED',
      'This signed request has already been received: sign each delivery anew (a new timestamp), also when retrying.',
    );
    throw await refuse(
      replayed,
      'rejected',
      `replayed signature (t=${signed?.timestamp}): this exact signed request was already received`,
    );
  }
  if ('error' in started) throw new WebhookRefusal(started.error);

  let status: TRunStatus = 'QUEUED';
  if (config.mode === 'sync') status = await waitForRunEnd({ db, runId: started.runId, timeoutMs: config.waitMs });
  else
    status = (await db.selectFrom('runs').select('status').where('id', '=', started.runId).executeTakeFirstOrThrow())
      .status;
  if (config.mode !== 'sync' || !isTerminal(status)) return { runId: started.runId, status, finished: false };
  const run = await db
    .selectFrom('runs')
    .select(['output', 'error'])
    .where('id', '=', started.runId)
    .executeTakeFirstOrThrow();
  return { runId: started.runId, status, output: run.output ?? null, error: run.error ?? null, finished: true };
}
