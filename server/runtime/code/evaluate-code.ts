import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten';
import { CODE_LIMITS, type TCodeFailure, type TCodeOutcome, type TCodeRequest, type TLogLine } from './code-limits';

/**
 * Set up inside every fresh context before the step's code is compiled: `console` writes to
 * the host through `__pwLog` (removed from the global object at once), and the runner keeps
 * its own JSON.parse/stringify, so code that replaces them changes only what it returns.
 */
const PRELUDE = `(() => {
  'use strict';
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const hostLog = globalThis.__pwLog;
  delete globalThis.__pwLog;
  const show = (value) => {
    if (typeof value === 'string') return value;
    try {
      const text = stringify(value);
      return text === undefined ? String(value) : text;
    } catch (error) {
      return String(value);
    }
  };
  const writer = (level) => (...args) => { hostLog(level, args.map(show).join(' ')); };
  globalThis.console = {
    log: writer('info'), info: writer('info'), debug: writer('debug'), warn: writer('warn'), error: writer('error'),
  };
  return async (fn, text) => {
    const json = stringify(await fn(parse(text)));
    return json === undefined ? 'null' : json;
  };
})()`;

const WRAP_PREFIX = '(async function (input) {';

/** The step's source as the body of an async function of `input`; line N of the source is line N here. */
export function wrapSource(source: string): string {
  return `${WRAP_PREFIX}${source}\n})`;
}

type TEvaluation = {
  outcome: { ok: true; value: unknown } | { ok: false; failure: TCodeFailure };
  recycle: boolean;
};

/**
 * Runs one code.js evaluation in a fresh QuickJS runtime (its own heap, memory limit, stack
 * limit and interrupt deadline), on this thread. Called in a code worker thread only: a
 * runaway that the interrupt handler cannot stop in time is ended by killing that thread.
 * `recycle` asks for a new thread: after a broken limit the module's memory stays grown.
 */
export function evaluateCode(module: QuickJSWASMModule, request: TCodeRequest): TCodeOutcome & { recycle: boolean } {
  const started = performance.now();
  const logs: TLogLine[] = [];
  let droppedLogs = 0;
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(request.memoryMb * 1024 * 1024);
  runtime.setMaxStackSize(CODE_LIMITS.maxStackBytes);
  const deadline = Date.now() + request.timeoutMs;
  let interrupted = false;
  runtime.setInterruptHandler(() => {
    if (Date.now() <= deadline) return false;
    interrupted = true;
    return true;
  });
  const context = runtime.newContext();
  let evaluation: TEvaluation;
  try {
    const hostLog = context.newFunction('__pwLog', (levelHandle, textHandle) => {
      if (logs.length >= CODE_LIMITS.maxLogLines) {
        droppedLogs += 1;
        return;
      }
      const level = context.getString(levelHandle);
      const text = context.getString(textHandle);
      const message = text.length > CODE_LIMITS.maxLogChars ? `${text.slice(0, CODE_LIMITS.maxLogChars)}…` : text;
      logs.push({ level: level === 'debug' || level === 'warn' || level === 'error' ? level : 'info', message });
    });
    context.setProp(context.global, '__pwLog', hostLog);
    hostLog.dispose();
    evaluation = run(context, request, () => interrupted);
    // A syntax error found at the end of the source is reported on the wrapper's closing line.
    const lines = request.source.split('\n').length;
    if (!evaluation.outcome.ok && (evaluation.outcome.failure.line ?? 0) > lines) {
      evaluation.outcome.failure.line = lines;
      delete evaluation.outcome.failure.column;
    }
  } finally {
    context.dispose();
  }
  let recycle = evaluation.recycle;
  try {
    runtime.dispose();
  } catch (error) {
    // After a broken limit QuickJS may find objects it could not free; the evaluation's answer
    // stands, and the thread (with its module's memory) is replaced rather than reused.
    console.warn('code.js runtime did not dispose cleanly', error);
    recycle = true;
  }
  if (droppedLogs > 0)
    logs.push({
      level: 'warn',
      message: `${droppedLogs} more console lines were dropped (at most ${CODE_LIMITS.maxLogLines} are kept)`,
    });
  return { ...evaluation.outcome, logs, durationMs: performance.now() - started, recycle } as TCodeOutcome & {
    recycle: boolean;
  };
}

function run(context: QuickJSContext, request: TCodeRequest, interrupted: () => boolean): TEvaluation {
  const prelude = context.evalCode(PRELUDE, 'prelude.js');
  if (prelude.error) return failWith(context, prelude.error, interrupted());
  const runner = prelude.value;
  try {
    const compiled = context.evalCode(wrapSource(request.source), 'code.js');
    if (compiled.error) return failWith(context, compiled.error, interrupted());
    const fn = compiled.value;
    // Evaluating the wrapper only creates the function; its body has not run.
    if (request.compileOnly) {
      fn.dispose();
      return { outcome: { ok: true, value: null }, recycle: false };
    }
    const text = context.newString(request.inputJson);
    const called = context.callFunction(runner, context.undefined, fn, text);
    text.dispose();
    fn.dispose();
    if (called.error) return failWith(context, called.error, interrupted());
    return settle(context, called.value, interrupted);
  } finally {
    runner.dispose();
  }
}

/** Runs the promise's jobs to the end (there is no I/O or timer to wait for) and reads what it settled to. */
function settle(context: QuickJSContext, promise: QuickJSHandle, interrupted: () => boolean): TEvaluation {
  try {
    const jobs = context.runtime.executePendingJobs(-1);
    const state = context.getPromiseState(promise);
    if (state.type === 'rejected') {
      if (jobs.error) jobs.error.dispose();
      return failWith(context, state.error, interrupted());
    }
    if (jobs.error) return failWith(context, jobs.error, interrupted());
    if (state.type === 'pending') {
      // Nothing left to run can settle it: no timers, no I/O exist in the sandbox.
      return {
        outcome: { ok: false, failure: { code: 'TIMEOUT', message: 'The code awaited a promise that never settles' } },
        recycle: false,
      };
    }
    const json = state.value;
    try {
      // Measured inside the sandbox, before a byte of it is copied out.
      const lengthHandle = context.getProp(json, 'length');
      const length = context.getNumber(lengthHandle);
      lengthHandle.dispose();
      if (length > CODE_LIMITS.maxOutputChars) {
        const message = `The result is ${length} characters as JSON; at most ${CODE_LIMITS.maxOutputChars} are allowed`;
        return { outcome: { ok: false, failure: { code: 'CODE_LIMIT', message } }, recycle: true };
      }
      // JSON.parse gives a plain copy: a "__proto__" key is an own property, never a prototype.
      return { outcome: { ok: true, value: JSON.parse(context.getString(json)) as unknown }, recycle: false };
    } finally {
      json.dispose();
    }
  } finally {
    promise.dispose();
  }
}

const LIMIT_MESSAGES: Array<[RegExp, string]> = [
  [/^stack overflow$/, 'The code recursed too deeply (stack overflow)'],
  [/^out of memory$/, 'The code used more memory than its limit'],
  [/^string too long$/, 'The code built a string longer than allowed'],
  [/^invalid array length$/, 'The code built an array longer than allowed'],
];

function failWith(context: QuickJSContext, handle: QuickJSHandle, interrupted: boolean): TEvaluation {
  const thrown = describeThrown(context, handle);
  handle.dispose();
  if (interrupted)
    return {
      outcome: { ok: false, failure: { code: 'TIMEOUT', message: 'The code ran past its time limit' } },
      recycle: true,
    };
  if (thrown.name === 'InternalError' || thrown.name === 'RangeError' || thrown.name === 'null') {
    const limit = LIMIT_MESSAGES.find(([pattern]) => pattern.test(thrown.message));
    if (limit || thrown.name === 'null') {
      const failure: TCodeFailure = {
        code: 'CODE_LIMIT',
        message: limit?.[1] ?? 'The code used more memory than its limit',
        ...thrown.where,
      };
      return { outcome: { ok: false, failure }, recycle: true };
    }
  }
  const message = thrown.name && thrown.name !== 'value' ? `${thrown.name}: ${thrown.message}` : thrown.message;
  return {
    outcome: { ok: false, failure: { code: 'CODE', message: truncate(message), ...thrown.where } },
    recycle: false,
  };
}

type TThrown = { name: string; message: string; where: { line?: number; column?: number } };

/** What was thrown, read field by field (an Error, or any value: `throw "no"`). */
function describeThrown(context: QuickJSContext, handle: QuickJSHandle): TThrown {
  // An allocation failure can leave null as the exception.
  if (context.typeof(handle) === 'object' && context.dump(handle) === null)
    return { name: 'null', message: '', where: {} };
  const dumped: unknown = context.dump(handle);
  if (typeof dumped !== 'object' || dumped === null)
    return { name: 'value', message: `Uncaught ${String(dumped)}`, where: {} };
  const record = dumped as Record<string, unknown>;
  const name = typeof record.name === 'string' ? record.name : 'Error';
  const message = typeof record.message === 'string' ? record.message : JSON.stringify(dumped);
  const stack = typeof record.stack === 'string' ? record.stack : '';
  const at = /code\.js:(\d+)(?::(\d+))?/.exec(stack);
  const line = at ? Number(at[1]) : typeof record.lineNumber === 'number' ? record.lineNumber : undefined;
  // Line 1 starts after the wrapper's prefix.
  const column = at?.[2] ? Number(at[2]) - (line === 1 ? WRAP_PREFIX.length : 0) : undefined;
  return {
    name,
    message,
    where: { ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }) },
  };
}

function truncate(text: string): string {
  return text.length > CODE_LIMITS.maxLogChars ? `${text.slice(0, CODE_LIMITS.maxLogChars)}…` : text;
}
