import type { AppErrorCode } from '@/server/errors';

/** What a server action sends back to the browser: data, or an error safe to show. */
export type TActionError = { code: AppErrorCode; message: string; fields?: Record<string, string> };
export type TActionResult<T> = { ok: true; data: T } | { ok: false; error: TActionError };
export type TAction<T> = (raw: unknown) => Promise<TActionResult<T>>;
