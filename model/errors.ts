import { ZodError } from 'zod';

/** Every error the app raises on purpose has one of these codes. */
export const APP_ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'VALIDATION',
  'RATE_LIMITED',
  'CONFIG',
  'INTERNAL',
  'EXPRESSION',
] as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

/** The one place where an error code becomes an HTTP status. */
export const HTTP_STATUS_BY_CODE = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION: 422,
  RATE_LIMITED: 429,
  CONFIG: 500,
  INTERNAL: 500,
  EXPRESSION: 422,
} as const satisfies Record<AppErrorCode, number>;

export type TFieldIssue = { path: string; message: string };

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details?: unknown;

  constructor(code: AppErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }
}

/** Turns a zod issue path like ['members', 0, 'email'] into `members[0].email`. */
export function formatIssuePath(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    '',
  );
}

/** A zod failure as a VALIDATION error whose message and details name every bad field. */
export function validationErrorFromZod(error: ZodError, where?: string): AppError {
  const details: TFieldIssue[] = error.issues.map((issue) => ({
    path: formatIssuePath(issue.path),
    message: issue.message,
  }));
  const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
  return new AppError('VALIDATION', `${where ? `${where}: ` : ''}${summary}`, details);
}

/** Normalises anything thrown into an AppError; unknown errors become INTERNAL without leaking their text. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return validationErrorFromZod(error);
  return new AppError('INTERNAL', 'Something went wrong on our side. The error has been logged.');
}

/** The error body of SPEC §6. */
export function errorBody(error: AppError): { error: { code: AppErrorCode; message: string; details?: unknown } } {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
}

export function assertNever(value: never, what = 'value'): never {
  throw new AppError('INTERNAL', `Unexpected ${what}: ${JSON.stringify(value)}`);
}
