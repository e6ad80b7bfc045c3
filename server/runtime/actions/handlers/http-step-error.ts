import 'server-only';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import type { TGuardedFetchResponse } from '@/server/security/guarded-fetch';
import type { GuardedFetchError } from '@/server/security/guarded-fetch-error';
import { parseRetryAfter } from '@/server/runtime/actions/handlers/retry-after';

/** Bytes of a failed response's body kept in the step error: enough for an API's reason, not a page. */
export const HTTP_ERROR_BODY_EXCERPT_BYTES = 2048;

/**
 * The start of a failed response's body as text: at most HTTP_ERROR_BODY_EXCERPT_BYTES, cut
 * with "…", invalid UTF-8 and NUL (which jsonb refuses) replaced. Secrets the run resolved are
 * masked by the interpreter like everything else in a step error.
 */
function bodyExcerpt(body: Buffer): string {
  const cut = body.length > HTTP_ERROR_BODY_EXCERPT_BYTES;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body.subarray(0, HTTP_ERROR_BODY_EXCERPT_BYTES));
  return `${text.replaceAll('\u0000', '\uFFFD')}${cut ? '…' : ''}`;
}

/**
 * The step error for a response that is not a success: 5xx and 429 are retryable (with the
 * server's Retry-After), other 4xx are final. The message names method, host and status
 * only: the URL's path and query may hold resolved secrets, and step errors are stored. The
 * details keep a bounded excerpt of the body (`body`, with its full size in `bodyBytes`): the
 * reason an API gives for a 4xx was otherwise lost.
 */
export function responseStepError(
  method: string,
  url: string,
  response: Pick<TGuardedFetchResponse, 'status' | 'headers'> & { body?: Buffer },
): TStepError {
  const { status } = response;
  const retryable = status === 429 || status >= 500;
  const retryAfterMs = retryable ? parseRetryAfter(response.headers['retry-after']) : undefined;
  return {
    code: 'HTTP',
    message: `${method} ${new URL(url).host} answered ${status}`,
    details: response.body ? { status, body: bodyExcerpt(response.body), bodyBytes: response.body.length } : { status },
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** EGRESS_BLOCKED, HTTP (network), TIMEOUT and CANCELED as the guarded client reported them. */
export function fetchStepError(error: GuardedFetchError): TStepError {
  return {
    code: error.code,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
    retryable: error.retryable,
  };
}
