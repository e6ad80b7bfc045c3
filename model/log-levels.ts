import { z } from 'zod';

/** Levels of `log` run events (SPEC §9), lowest first; the run page filters by them. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type TLogLevel = (typeof LOG_LEVELS)[number];
export const ZLogLevel = z.enum(LOG_LEVELS);

/** A `log` event's data: from a `log` step, or a console line of a code.js step. */
export const ZLogLine = z.object({ level: ZLogLevel, message: z.string(), data: z.unknown().optional() });
export type TLogLine = z.infer<typeof ZLogLine>;

/** Whether an event of `level` shows when the page asks for `atLeast` and above. */
export function logLevelAtLeast(level: TLogLevel, atLeast: TLogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(atLeast);
}
