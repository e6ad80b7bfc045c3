/** The server answered with an error body (SPEC §6: `{ error: { code, message, details? } }`). */
export class PipewrightApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'PipewrightApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The server could not be reached, or answered something that is not Pipewright's API. */
export class PipewrightConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipewrightConnectionError';
  }
}
