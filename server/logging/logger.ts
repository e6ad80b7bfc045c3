import 'server-only';
import { format } from 'node:util';
import pino, { type Logger } from 'pino';
import { stdoutLines } from '@/server/logging/turn-batched-writer';
import { redactLogFields, redactLogValue } from '@/server/logging/redact-log-fields';

export type { Logger };

/** The environment variables read here (tests pass their own). */
type TEnv = Record<string, string | undefined>;

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** PIPEWRIGHT_LOG_LEVEL (default info); an unknown value falls back to info rather than failing the process. */
export function logLevel(env: TEnv = process.env): (typeof LEVELS)[number] {
  const value = (env.PIPEWRIGHT_LOG_LEVEL ?? 'info').toLowerCase();
  return (LEVELS as readonly string[]).includes(value) ? (value as (typeof LEVELS)[number]) : 'info';
}

const LEVEL_WORDS: Record<string, string> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO ',
  warn: 'WARN ',
  error: 'ERROR',
  fatal: 'FATAL',
};
const CONTEXT_KEYS = ['tenantId', 'runId', 'stepId', 'workerId'];

/** One JSON log line as a person reads it at a terminal: time, level, service, message, then the ids and the rest. */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const { level, time, msg, service, pid: _pid, hostname: _hostname, err, ...rest } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const ids = CONTEXT_KEYS.filter((key) => rest[key] !== undefined).map((key) => `${key}=${String(rest[key])}`);
  for (const key of CONTEXT_KEYS) delete rest[key];
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const stack =
    err && typeof err === 'object' && 'stack' in err ? `\n${String((err as { stack: unknown }).stack)}` : '';
  return `${clock} ${LEVEL_WORDS[String(level)] ?? String(level)} [${String(service)}] ${String(msg ?? '')}${ids.length ? `  ${ids.join(' ')}` : ''}${extra}${stack}\n`;
}

/**
 * The process's logger (SPEC §8): one JSON object per line on stdout with `level`, `time`,
 * `msg`, `service`, and the ids bound by child loggers (`tenantId`, `runId`, `stepId`,
 * `workerId`). `PIPEWRIGHT_LOG_FORMAT=pretty` prints lines for people instead (`npm start`'s
 * default). Values under keys such as authorization, password, secret or token are replaced
 * by `[redacted]`; nothing logs a step's input, where secret values live.
 */
export function createLogger({
  service,
  env = process.env,
  write = stdoutLines(),
}: {
  service: string;
  env?: TEnv;
  write?: (line: string) => void;
}): Logger {
  const pretty = env.PIPEWRIGHT_LOG_FORMAT === 'pretty';
  const logger = pino(
    {
      level: logLevel(env),
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Values under secret-looking keys, at the top level, one level down and in `headers`
      // there, become "[redacted]" (redact-log-fields.ts, in place of pino's costly `redact`).
      // An error is redacted once pino's serializer has made it an object.
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redactLogFields(fields, 'err'),
      },
      serializers: { err: (error: Error) => redactLogValue(pino.stdSerializers.err(error)) },
    },
    { write: (line: string) => write(pretty ? prettyLine(line) : line) },
  );
  // A child's bindings likewise (pino applies `formatters.bindings` to the root's only). Children
  // inherit `child` from the root, so this covers every descendant.
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, options) {
    return child.call(this, redactLogFields(bindings, 'err'), options);
  } as Logger['child'];
  return logger;
}

const globalForLogger = globalThis as unknown as { pipewrightLogger?: Logger };

/** The process-wide logger (created on first use as service "web" unless installLogging named it). */
export function getLogger(): Logger {
  return (globalForLogger.pipewrightLogger ??= createLogger({ service: 'web' }));
}

/**
 * Makes `service` the process's logger and sends console.log/info/warn/error through it, so
 * lines from libraries and older code are JSON too (console.log → info, warn → warn, error → error).
 */
export function installLogging({ service }: { service: string }): Logger {
  const logger = (globalForLogger.pipewrightLogger = createLogger({ service }));
  const bridge =
    (level: 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const error = args.find((arg): arg is Error => arg instanceof Error);
      const text = format(...args.map((arg) => (arg instanceof Error ? arg.message : arg)));
      if (error) logger[level]({ err: error }, text);
      else logger[level](text);
    };
  console.log = bridge('info');
  console.info = bridge('info');
  console.warn = bridge('warn');
  console.error = bridge('error');
  return logger;
}

/** A logger that writes nothing: for callers (tests, one-off passes) that keep no log. */
export const silentLogger: Logger = pino({ level: 'silent' });
