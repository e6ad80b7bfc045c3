import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';
import { ZLogLevel } from '@/model/log-levels';

/** Characters of a log message once resolved: a line in the run's event log, not a document. */
const MAX_MESSAGE_CHARS = 10_000;

export const ZLogConfig = z
  .object({
    level: ZLogLevel.default('info'),
    message: exprOr(z.string().min(1, 'write the message').max(MAX_MESSAGE_CHARS)),
    /** Any JSON shown with the message (a literal, an expression or a template). */
    data: z.unknown().optional(),
  })
  .strict();

export const logMessage = defineNode('log', {
  configSchema: ZLogConfig,
  outputSchema: z.object({ level: ZLogLevel, message: z.string(), data: z.unknown().optional() }),
  async execute({ config, resolve }) {
    const resolved = await resolve(config.message, 'message');
    const text = typeof resolved === 'string' ? resolved : (JSON.stringify(resolved) ?? '');
    const message = text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
    const line = {
      level: config.level,
      message,
      ...(config.data === undefined ? {} : { data: await resolve(config.data, 'data') }),
    };
    return { kind: 'next', input: line, output: line, logs: [line] };
  },
});
