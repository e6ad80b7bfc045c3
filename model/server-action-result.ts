import type { AppErrorCode } from '@/model/errors';

/** What a server action sends back to the browser: data, or an error safe to show. */
export type TServerActionError = { code: AppErrorCode; message: string; fields?: Record<string, string> };
export type TServerActionResult<T> = { ok: true; data: T } | { ok: false; error: TServerActionError };
export type TServerAction<T> = (raw: unknown) => Promise<TServerActionResult<T>>;
