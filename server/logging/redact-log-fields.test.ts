import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@/server/logging/logger';
import { REDACTED_LOG_KEYS, redactLogFields } from '@/server/logging/redact-log-fields';

/** The logger as it was: pino's own `redact` with these paths. */
function pinoRedacting(write: (line: string) => void) {
  const paths = REDACTED_LOG_KEYS.flatMap((key) => [key, `*.${key}`, `headers.${key}`, `*.headers.${key}`]);
  return pino(
    {
      level: 'info',
      base: { service: 'test', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths, censor: '[redacted]' },
    },
    { write },
  );
}

const withoutTime = (line: string) => line.replace(/"time":"[^"]*",/, '');

class TokenError extends Error {
  token = 'tok_in_error';
  headers = { authorization: 'Bearer in_error', accept: 'json' };
}

describe('log redaction without pino redact (SPEC §8)', () => {
  it('writes the same lines as pino redact did', () => {
    const before: string[] = [];
    const now: string[] = [];
    const loggers = [
      pinoRedacting((line) => before.push(line)),
      createLogger({ service: 'test', write: (line) => now.push(line) }),
    ];
    const shared = { token: 'shared_tok', keep: 1 };
    for (const logger of loggers) {
      const child = logger.child({
        runId: 'r-1',
        tenantId: 't-1',
        secret: 'bound_secret',
        auth: { password: 'p', user: 'u' },
      });
      child.info({ event: 'run.started', path: 'steps[0]', attempt: 1 }, 'run.started');
      child.info('a message with "quotes", \\ and é');
      child.warn(
        {
          authorization: 'Bearer pw_live_abcdef',
          headers: { authorization: 'Basic c2VjcmV0', cookie: 'sid=1', accept: 'json' },
          input: { password: 'hunter22', token: 'tok_123456', url: 'https://x', headers: { cookie: 'c=2' } },
          deep: { a: { password: 'two levels down stays' } },
          list: [{ token: 'in an array stays' }],
          value: { anything: true },
          apiKey: 42,
          shared,
          when: new Date(0),
          missing: undefined,
          nothing: null,
        },
        'call',
      );
      child.error({ err: new TokenError('boom') }, 'failed');
      child.error({ err: { message: 'plain', secret: 'plain_secret' } }, 'failed plain');
      logger.child({ headers: { cookie: 'bound_cookie' } }).info({ n: 1 }, 'headers bound');
      child.child({ stepId: 's', token: 'grand_tok' }).info('grandchild');
    }
    expect(now.map(withoutTime)).toEqual(before.map(withoutTime));
    expect(now.join('')).not.toMatch(
      /pw_live|c2VjcmV0|sid=1|hunter22|tok_123456|c=2|shared_tok|tok_in_error|in_error|bound_|grand_tok/,
    );
    // The caller's objects are left as they were.
    expect(shared).toEqual({ token: 'shared_tok', keep: 1 });
  });

  it('copies nothing when nothing is censored', () => {
    const fields = { runId: 'r-1', event: 'step.started', data: { path: 'steps[0]' } };
    expect(redactLogFields(fields)).toBe(fields);
    const censored = redactLogFields({ ...fields, data: { token: 'x' } });
    expect(censored).toEqual({ ...fields, data: { token: '[redacted]' } });
  });
});
