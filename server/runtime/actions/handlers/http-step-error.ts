import 'server-only';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import type { TGuardedFetchResponse } from '@/server/security/guarded-fetch';
import type { GuardedFetchError } from '@/server/security/guarded-fetch-error';
import { parseRetryAfter } from '@/server/runtime/actions/handlers/retry-after';

/**
 * The step error for a response that is not a success: 5xx and 429 are retryable (with the
 * server's Retry-After), other 4xx are final. The message names method, host and status
 * only: the URL's path and query may hold resolved secrets, and step errors are stored.
 */
export function responseStepError(
  method: string,
  url: string,
  response: Pick<TGuardedFetchResponse, 'status' | 'headers'>,
): TStepError {
  const { status } = response;
  const retryable = status === 429 || status >= 500;
  const retryAfterMs = retryable ? parseRetryAfter(response.headers['retry-after']) : undefined;
  return {
    code: 'HTTP',
    message: `${method} ${new URL(url).host} answered ${status}`,
    details: { status },
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
