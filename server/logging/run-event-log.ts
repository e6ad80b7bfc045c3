import 'server-only';
import type { Logger } from 'pino';
import type { TRunEventType } from '@/model/run-status';
import { LOG_LEVELS, type TLogLevel } from '@/model/log-levels';

/*
 * A run's events, mirrored as lines of the process log (SPEC §8): each bound to the run's
 * tenant, run and worker by the logger it is written to, and to its step. Only the small,
 * already-masked fields of an event go to the line (path, attempt, an error's code and
 * message, a log step's message), never a step's input, output or a log step's data.
 */

/** Lines a person watching a worker wants at info; a step's own progress is debug, its failure warn. */
const EVENT_LEVELS: Record<TRunEventType, TLogLevel> = {
  'run.queued': 'info',
  'run.started': 'info',
  'step.started': 'debug',
  'step.succeeded': 'debug',
  'step.failed': 'warn',
  'step.retry_scheduled': 'info',
  'run.waiting': 'debug',
  'run.resumed': 'debug',
  'run.paused': 'info',
  'task.created': 'info',
  'task.completed': 'info',
  'task.escalated': 'info',
  'run.succeeded': 'info',
  'run.failed': 'warn',
  'run.canceled': 'info',
  'run.migrated': 'info',
  log: 'info',
};

const LINE_FIELDS = ['path', 'attempt', 'nextAttempt', 'delayMs', 'code', 'reason'] as const;

/** Writes one run event to `logger` at its level; costs a lookup when that level is off. */
export function logRunEvent(
  logger: Logger,
  type: TRunEventType,
  stepId: string | null,
  data: Record<string, unknown>,
): void {
  // A log step's line keeps its own level and message.
  const level = type === 'log' && isLogLevel(data.level) ? data.level : EVENT_LEVELS[type];
  if (!logger.isLevelEnabled(level)) return;
  const fields: Record<string, unknown> = { event: type };
  if (stepId !== null) fields.stepId = stepId;
  for (const key of LINE_FIELDS) if (data[key] !== undefined) fields[key] = data[key];
  const message = typeof data.message === 'string' ? data.message : undefined;
  logger[level](fields, message === undefined ? type : type === 'log' ? message : `${type}: ${message}`);
}

function isLogLevel(value: unknown): value is TLogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}
