import { CODE_LIMITS, type TCodeOutcome } from './code-limits';
import { sharedCodePool, type CodePool } from './code-pool';

/**
 * Runs a code.js source on `input` in the QuickJS sandbox (a thread of the code pool): the
 * input crosses as JSON text, so the code gets a plain copy and nothing of the host.
 *
 * @example await runCode({ source: 'return input.a + 1', input: { a: 1 } }) // { ok: true, value: 2, logs: [] … }
 */
export function runCode(args: {
  source: string;
  input: unknown;
  timeoutMs?: number;
  memoryMb?: number;
  signal?: AbortSignal;
  pool?: CodePool;
}): Promise<TCodeOutcome> {
  const timeoutMs = Math.min(args.timeoutMs ?? CODE_LIMITS.defaultTimeoutMs, CODE_LIMITS.maxTimeoutMs);
  const memoryMb = Math.min(args.memoryMb ?? CODE_LIMITS.defaultMemoryMb, CODE_LIMITS.maxMemoryMb);
  const inputJson = JSON.stringify(args.input ?? null);
  return (args.pool ?? sharedCodePool()).run({ source: args.source, inputJson, timeoutMs, memoryMb }, args.signal);
}

/** Publish-time check: compiles the source in the sandbox without running it. */
export async function checkCodeSyntax(source: string, pool?: CodePool): Promise<TCodeOutcome> {
  return (pool ?? sharedCodePool()).run({
    source,
    inputJson: 'null',
    timeoutMs: CODE_LIMITS.defaultTimeoutMs,
    memoryMb: CODE_LIMITS.defaultMemoryMb,
    compileOnly: true,
  });
}

/** "Error: boom (line 3, column 7)": the step error's message. */
export function describeCodeFailure(failure: { message: string; line?: number; column?: number }): string {
  if (failure.line === undefined) return failure.message;
  return `${failure.message} (line ${failure.line}${failure.column === undefined ? '' : `, column ${failure.column}`})`;
}
