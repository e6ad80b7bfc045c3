import { z } from 'zod';
import { ZLogLine } from '../../../model/log-levels';

export type { TLogLine } from '../../../model/log-levels';

/** Limits of one code.js evaluation (SPEC §9). Time and memory are per step; the rest are fixed. */
export const CODE_LIMITS = {
  defaultTimeoutMs: 1000,
  maxTimeoutMs: 10_000,
  defaultMemoryMb: 32,
  maxMemoryMb: 128,
  /** Characters of source: a step, not a program. */
  maxSourceLength: 100_000,
  /**
   * QuickJS's own stack limit. Its frames are also wasm frames on the worker thread's V8 stack
   * (4 MB): at 512 KB, deep recursion overflowed V8's stack before QuickJS noticed.
   */
  maxStackBytes: 256 * 1024,
  /** Characters of the result as JSON (checked inside the sandbox before it is copied out). */
  maxOutputChars: 1024 * 1024,
  /** console.* lines kept per evaluation, and characters per line; the rest are counted, not kept. */
  maxLogLines: 100,
  maxLogChars: 2000,
  /** After its deadline, how long the interrupt handler gets before the worker thread is killed. */
  hardKillGraceMs: 250,
} as const;

/** To a code worker: one evaluation; `inputJson` is the input as JSON text (a plain copy by construction). */
export const ZCodeRequest = z.object({
  id: z.number().int(),
  source: z.string(),
  inputJson: z.string(),
  timeoutMs: z.number().int().positive(),
  memoryMb: z.number().int().positive(),
  /** Only compile (publish-time syntax check): nothing runs. */
  compileOnly: z.boolean().optional(),
});
export type TCodeRequest = z.infer<typeof ZCodeRequest>;

/** Why an evaluation failed: CODE (the code threw or does not parse), TIMEOUT, CODE_LIMIT (memory, stack, output). */
export const ZCodeFailure = z.object({
  code: z.enum(['CODE', 'TIMEOUT', 'CODE_LIMIT']),
  message: z.string(),
  /** 1-based line in `source`, when QuickJS says where. */
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});
export type TCodeFailure = z.infer<typeof ZCodeFailure>;

export const ZCodeOutcome = z.union([
  z.object({ ok: z.literal(true), value: z.unknown(), logs: z.array(ZLogLine), durationMs: z.number() }),
  z.object({ ok: z.literal(false), failure: ZCodeFailure, logs: z.array(ZLogLine), durationMs: z.number() }),
]);
export type TCodeOutcome = z.infer<typeof ZCodeOutcome>;

/** Code worker → main thread: ready once QuickJS is loaded, then one result per request. */
export const ZCodeWorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('result'), id: z.number().int(), outcome: ZCodeOutcome, recycle: z.boolean() }),
]);
export type TCodeWorkerMessage = z.infer<typeof ZCodeWorkerMessage>;
