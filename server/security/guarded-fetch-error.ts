import 'server-only';
/**
 * How an outbound HTTP call can fail, with whether trying again could help:
 * - EGRESS_BLOCKED: the target (or a redirect's target) is private, loopback, … — never retried.
 * - HTTP: the exchange failed — network errors are retryable, an oversized response or a
 *   redirect loop is not (it would fail the same way again).
 * - TIMEOUT: the time limit passed — retryable.
 * - CANCELED: the caller aborted — not retried.
 */
export const GUARDED_FETCH_ERROR_CODES = ['EGRESS_BLOCKED', 'HTTP', 'TIMEOUT', 'CANCELED'] as const;
export type TGuardedFetchErrorCode = (typeof GUARDED_FETCH_ERROR_CODES)[number];

export class GuardedFetchError extends Error {
  readonly code: TGuardedFetchErrorCode;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(
    code: TGuardedFetchErrorCode,
    message: string,
    { retryable, details }: { retryable: boolean; details?: Record<string, unknown> },
  ) {
    super(message);
    this.name = 'GuardedFetchError';
    this.code = code;
    this.retryable = retryable;
    this.details = details;
  }
}

export function egressBlocked(message: string, details: Record<string, unknown>): GuardedFetchError {
  return new GuardedFetchError(
    'EGRESS_BLOCKED',
    `${message}; outbound requests to it are refused unless PIPEWRIGHT_EGRESS_ALLOW names it`,
    {
      retryable: false,
      details,
    },
  );
}

const MIB = 1024 * 1024;

/** `5 MiB`, `512 KiB`, `1000 bytes`: limits read back the way an operator wrote them. */
export function formatByteCount(bytes: number): string {
  if (bytes >= MIB && bytes % MIB === 0) return `${bytes / MIB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
