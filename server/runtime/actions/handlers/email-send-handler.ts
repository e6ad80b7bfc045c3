import 'server-only';
import { createHash } from 'node:crypto';
import { AppError } from '@/model/errors';
import { keepInOutbox } from '@/server/email/keep-in-outbox';
import { claimSmtpSend, confirmSmtpSend, noteSmtpFailure } from '@/server/email/record-smtp-send';
import { SMTP_CLAIM_MARGIN_MS, SMTP_TIMEOUT_MS, sendSmtpMessage } from '@/server/email/send-smtp-message';
import { ZEmailSendInput } from '@/server/runtime/actions/email-send';
import type { TActionHandlerResult, TActionInvocation } from '@/server/runtime/actions/handlers/action-handler';
import { LeaseLostError } from '@/server/runtime/interpreter/run-writer';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import type { TEgressAllowList } from '@/server/security/egress-allowlist';
import type { TResolveHost } from '@/server/security/egress-guard';
import { GuardedFetchError } from '@/server/security/guarded-fetch-error';

export const DEFAULT_MAIL_FROM = 'Pipewright <pipewright@localhost>';

export type TEmailSendHandlerArgs = {
  input: unknown;
  signal: AbortSignal;
  idempotencyKey: string;
  invocation: TActionInvocation;
  /** SMTP_URL; undefined keeps messages in the outbox. */
  smtpUrl: string | undefined;
  from: string;
  allow: TEgressAllowList;
  timeoutMs?: number;
  /** How long to wait for another attempt's claim to end before answering CONFLICT (default: as long as a claim lasts). */
  waitForClaimMs?: number;
  resolveHost?: TResolveHost;
};

/**
 * The same Message-ID for every attempt of one invocation: should a send be repeated after a
 * crash in the instant between the server's answer and our record of it, the two copies are
 * recognisably one message (mail clients and many servers drop the duplicate).
 */
export function stableMessageId(tenantId: string, idempotencyKey: string, from: string): string {
  const domain = /@([^\s<>@]+)>?\s*$/.exec(from)?.[1] ?? 'pipewright.local';
  return `<${createHash('sha256').update(`${tenantId}:${idempotencyKey}`).digest('hex').slice(0, 32)}@${domain}>`;
}

/** 4xx SMTP replies and lost connections are worth another try; 5xx replies and bad credentials are not. */
function smtpStepError(error: unknown, signal: AbortSignal, timedOut: boolean, timeoutMs: number): TStepError {
  if (timedOut)
    return {
      code: 'TIMEOUT',
      message: `the SMTP server did not accept the message within ${timeoutMs} ms`,
      retryable: true,
    };
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error && reason.name === 'TimeoutError'
      ? { code: 'TIMEOUT', message: 'the step timed out while sending the email', retryable: true }
      : { code: 'CANCELED', message: 'the email send was canceled', retryable: false };
  }
  if (error instanceof GuardedFetchError)
    return {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      retryable: error.retryable,
    };
  if (error instanceof AppError) return { code: error.code, message: error.message, retryable: false };
  const smtp = error as Error & { code?: string; responseCode?: number };
  const details = {
    ...(smtp.code ? { cause: smtp.code } : {}),
    ...(smtp.responseCode ? { responseCode: smtp.responseCode } : {}),
  };
  const retryable = smtp.responseCode
    ? smtp.responseCode < 500
    : smtp.code !== 'EAUTH' && smtp.code !== 'EENVELOPE' && smtp.code !== 'EMESSAGE';
  return { code: 'EMAIL', message: `SMTP: ${smtp.message}`, details, retryable };
}

/**
 * email.send@1 (SPEC §4.4). With SMTP_URL the message goes through the SMTP server over a
 * connection the egress guard checked; without it, it is kept in the outbox (with the run's
 * secret values masked: the outbox is a page people read). Either way once per idempotency
 * key: see keepInOutbox and claimSmtpSend. Only the attempt holding the send's claim sends;
 * another attempt of the same invocation running at that moment gets a retryable CONFLICT
 * that asks to come back when the claim is over, and then finds the message sent (or, if its
 * sender died, a claim that ran out, and sends it with the same Message-ID).
 */
export async function emailSendHandler({
  input: raw,
  signal,
  idempotencyKey,
  invocation,
  smtpUrl,
  from,
  allow,
  timeoutMs = SMTP_TIMEOUT_MS,
  waitForClaimMs = timeoutMs + SMTP_CLAIM_MARGIN_MS,
  resolveHost,
}: TEmailSendHandlerArgs): Promise<TActionHandlerResult> {
  const parsed = ZEmailSendInput.safeParse(raw);
  if (!parsed.success) {
    return {
      error: {
        code: 'VALIDATION',
        message: `Invalid input for email.send@1: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        retryable: false,
      },
    };
  }
  const input = parsed.data;
  const to = typeof input.to === 'string' ? [input.to] : input.to;
  const { db, tenantId, runId, stepPath } = invocation;
  const messageId = stableMessageId(tenantId, idempotencyKey, from);
  if (smtpUrl === undefined) {
    const mask = (text: string | undefined) => (text === undefined ? null : String(invocation.maskSecrets(text)));
    const message = {
      messageId,
      from,
      to,
      subject: String(invocation.maskSecrets(input.subject)),
      text: mask(input.text),
      html: mask(input.html),
    };
    return { output: { messageId: await keepInOutbox({ db, tenantId, idempotencyKey, runId, stepPath, message }) } };
  }
  // The claim's expiry is at least timeoutMs + margin after this instant, by any clock: the
  // send must be over by timeoutMs after it by ours (as a lease is judged, lease-keeper.ts).
  let claimSentAt = performance.now();
  const claimArgs = {
    db,
    tenantId,
    idempotencyKey,
    runId,
    stepPath,
    messageId,
    from,
    to,
    subject: String(invocation.maskSecrets(input.subject)),
    claimMs: timeoutMs + SMTP_CLAIM_MARGIN_MS,
  };
  let claim = await claimSmtpSend(claimArgs);
  // Another attempt holds the send: one still sending (it will confirm), or a worker that died
  // mid-send (its claim runs out). Waiting for either here, rather than failing the step, keeps a
  // crash recovery from failing a run whose step has no retries left; the wait is bounded by
  // the claim and ends with the step's signal.
  const waitUntil = performance.now() + (claim.kind === 'busy' ? Math.min(claim.retryAfterMs, waitForClaimMs) : 0);
  while (claim.kind === 'busy' && performance.now() < waitUntil && !signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(50, Math.min(500, waitUntil - performance.now()))));
    claimSentAt = performance.now();
    claim = await claimSmtpSend(claimArgs);
  }
  if (claim.kind === 'done') return { output: { messageId: claim.messageId } };
  if (claim.kind === 'busy') {
    return {
      error: {
        code: 'CONFLICT',
        message: 'another attempt of this email.send is sending the message; try again once its claim is over',
        details: { retryAfterMs: claim.retryAfterMs },
        retryable: true,
        retryAfterMs: claim.retryAfterMs,
      },
    };
  }
  const owner = claim.owner;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), claimSentAt + timeoutMs - performance.now());
  try {
    // Frozen (SIGSTOP, a long pause) between the claim and here, past its time: another attempt may own it now.
    if (performance.now() >= claimSentAt + timeoutMs) timeout.abort();
    await sendSmtpMessage({
      smtpUrl,
      message: {
        messageId: claim.messageId,
        from,
        to,
        subject: input.subject,
        ...(input.text === undefined ? {} : { text: input.text }),
        ...(input.html === undefined ? {} : { html: input.html }),
      },
      allow,
      signal: AbortSignal.any([signal, timeout.signal]),
      resolveHost,
      beforeSend: invocation.assertLeaseHeld,
    });
  } catch (error) {
    // Not the send's failure: this worker no longer holds the run, and its claim is left to run out.
    if (error instanceof LeaseLostError) throw error;
    const stepError = smtpStepError(error, signal, timeout.signal.aborted, timeoutMs);
    await noteSmtpFailure({
      db,
      tenantId,
      idempotencyKey,
      owner,
      message: String(invocation.maskSecrets(stepError.message)),
    });
    return { error: stepError };
  } finally {
    clearTimeout(timer);
  }
  // False when this attempt stalled so long that another took the claim over: the server did
  // accept this copy, so the answer is still the message's id (the one the row will record),
  // while the row is left to its new owner (see confirmSmtpSend).
  await confirmSmtpSend({ db, tenantId, idempotencyKey, owner, runId, stepPath, messageId: claim.messageId });
  return { output: { messageId: claim.messageId } };
}
