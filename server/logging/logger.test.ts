import { describe, expect, it } from 'vitest';
import { createLogger, logLevel, prettyLine } from '@/server/logging/logger';

function capture(env: Record<string, string | undefined> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ service: 'test', env, write: (line) => lines.push(line) });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('structured logs (SPEC §8)', () => {
  it('one JSON object per line with level, time, msg, service and the ids bound by child loggers', () => {
    const { logger, lines, parsed } = capture();
    const run = logger.child({ workerId: 'w-1' }).child({ tenantId: 't-1', runId: 'r-1' });
    run.child({ stepId: 'charge' }).warn('step slow');
    logger.info({ method: 'GET', route: '/api/v1/runs', status: 200, durationMs: 3.2 }, 'request');
    expect(lines.every((line) => line.endsWith('\n') && line.trim().split('\n').length === 1)).toBe(true);
    const [step, request] = parsed();
    expect(step).toMatchObject({
      level: 'warn',
      msg: 'step slow',
      service: 'test',
      workerId: 'w-1',
      tenantId: 't-1',
      runId: 'r-1',
      stepId: 'charge',
    });
    expect(new Date(String(step!.time)).toISOString()).toBe(step!.time);
    expect(request).toMatchObject({ level: 'info', method: 'GET', status: 200 });
  });

  it('PIPEWRIGHT_LOG_LEVEL filters; an unknown level is info', () => {
    const { logger, parsed } = capture({ PIPEWRIGHT_LOG_LEVEL: 'warn' });
    logger.info('hidden');
    logger.error('shown');
    expect(parsed().map((entry) => entry.msg)).toEqual(['shown']);
    expect(logLevel({ PIPEWRIGHT_LOG_LEVEL: 'loud' })).toBe('info');
    expect(logLevel({})).toBe('info');
  });

  it('values under secret-looking keys are redacted, also nested and in headers', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        authorization: 'Bearer pw_live_abcdef',
        headers: { authorization: 'Basic c2VjcmV0', cookie: 'sid=1' },
        input: { password: 'hunter22', token: 'tok_123456' },
      },
      'call',
    );
    const text = lines.join('');
    for (const value of ['pw_live_abcdef', 'c2VjcmV0', 'sid=1', 'hunter22', 'tok_123456'])
      expect(text).not.toContain(value);
    expect(text).toContain('[redacted]');
  });

  it('PIPEWRIGHT_LOG_FORMAT=pretty prints a line for people', () => {
    const { logger, lines } = capture({ PIPEWRIGHT_LOG_FORMAT: 'pretty' });
    logger.child({ runId: 'r-9' }).error({ attempt: 2 }, 'call failed');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR \[test\] call failed {2}runId=r-9 \{"attempt":2\}\n$/);
    expect(prettyLine('not json')).toBe('not json\n');
  });
});
