import { describe, expect, it } from 'vitest';
import { exampleInput } from '@/components/triggers/example-input';
import { buildTriggerDefinition, draftFromTrigger, emptyTriggerDraft } from '@/components/triggers/trigger-draft';
import { webhookCurl } from '@/components/triggers/webhook-details';
import { ZCreateTriggerBody } from '@/server/triggers/create-trigger';

const draft = emptyTriggerDraft();

describe('buildTriggerDefinition', () => {
  it('builds what the server accepts for each type, leaving defaults to the server', () => {
    const webhook = buildTriggerDefinition(draft);
    expect(webhook).toEqual({ ok: true, definition: { type: 'webhook', config: { mode: 'async' }, enabled: true } });
    const signed = buildTriggerDefinition({
      ...draft,
      mode: 'sync',
      secret: 'HOOK',
      waitMs: '2000',
      rateLimitPerMinute: '5',
      version: '2',
      enabled: false,
    });
    expect(signed).toEqual({
      ok: true,
      definition: {
        type: 'webhook',
        config: { mode: 'sync', secret: 'HOOK', waitMs: 2000, rateLimitPerMinute: 5 },
        version: 2,
        enabled: false,
      },
    });
    const schedule = buildTriggerDefinition({
      ...draft,
      type: 'schedule',
      cron: ' 0 9 * * 1-5 ',
      timezone: 'Europe/Berlin',
      scheduleInput: '{"report":"daily"}',
    });
    expect(schedule).toEqual({
      ok: true,
      definition: {
        type: 'schedule',
        config: { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', input: { report: 'daily' } },
        enabled: true,
      },
    });
    const event = buildTriggerDefinition({
      ...draft,
      type: 'event',
      event: 'invoice.received',
      filter: 'payload.amount > 1',
      input: '',
    });
    expect(event).toEqual({
      ok: true,
      definition: { type: 'event', config: { event: 'invoice.received', filter: 'payload.amount > 1' }, enabled: true },
    });
    for (const built of [webhook, signed, schedule, event])
      if (built.ok) expect(ZCreateTriggerBody.safeParse(built.definition).success).toBe(true);
  });

  it('names what it can already see is wrong, at the server paths, and ignores the fields of other types', () => {
    expect(buildTriggerDefinition({ ...draft, rateLimitPerMinute: 'lots', cron: 'never checked here' })).toEqual({
      ok: false,
      errors: { 'config.rateLimitPerMinute': 'Must be a whole number.' },
    });
    const schedule = buildTriggerDefinition({
      ...draft,
      type: 'schedule',
      cron: '',
      timezone: 'UTC',
      scheduleInput: '[1]',
    });
    expect(schedule.ok ? null : Object.keys(schedule.errors).sort()).toEqual(['config.cron', 'config.input']);
    const badJson = buildTriggerDefinition({
      ...draft,
      type: 'schedule',
      cron: '* * * * *',
      timezone: 'UTC',
      scheduleInput: '{',
    });
    expect(badJson.ok ? null : badJson.errors['config.input']).toMatch(/^Is not valid JSON/);
    expect(buildTriggerDefinition({ ...draft, type: 'event', event: '  ' })).toEqual({
      ok: false,
      errors: { 'config.event': 'Required: enter the event name, like invoice.received.' },
    });
  });
});

describe('the webhook card', () => {
  it('shows a body shaped like the parameter schema', () => {
    expect(
      exampleInput({
        type: 'object',
        properties: {
          amount: { type: 'number', minimum: 1 },
          tag: { enum: ['a', 'b'] },
          note: { type: 'string', default: 'hi' },
          ok: { type: 'boolean' },
          lines: { type: 'array' },
          who: { type: 'object', properties: { id: { type: 'integer' } } },
        },
      }),
    ).toEqual({
      amount: 1,
      tag: 'a',
      note: 'hi',
      ok: false,
      lines: [],
      who: { id: 0 },
    });
  });

  it('quotes the body for the shell and signs without revealing the secret', () => {
    const plain = webhookCurl({
      url: 'https://pw.example/api/v1/hooks/pwh_x',
      body: `{"name":"O'Brien"}`,
      signed: false,
    });
    expect(plain).toContain(`--data-binary '{"name":"O'\\''Brien"}'`);
    const signed = webhookCurl({ url: 'https://pw.example/api/v1/hooks/pwh_x', body: '{}', signed: true });
    expect(signed).toContain('openssl dgst -sha256 -hmac "$PIPEWRIGHT_WEBHOOK_SECRET"');
    expect(signed).toContain('-H "Pipewright-Signature: t=$t,v1=$sig"');
  });
});

describe('draftFromTrigger (the Edit dialog)', () => {
  it('gives back what was stored when saved untouched, for each editable type', () => {
    const stored = [
      { type: 'webhook', config: { mode: 'sync', secret: 'HOOK', waitMs: 2000, rateLimitPerMinute: 5 }, version: 2 },
      {
        type: 'schedule',
        config: { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', input: { a: [1, 2] } },
        version: null,
      },
      {
        type: 'event',
        config: { event: 'invoice.received', filter: 'payload.total > 5', input: '{ "id": payload.id }' },
        version: null,
      },
    ] as const;
    for (const trigger of stored) {
      const built = buildTriggerDefinition(
        draftFromTrigger({ ...trigger, config: { ...trigger.config }, enabled: false }),
      );
      expect(built).toEqual({
        ok: true,
        definition: {
          type: trigger.type,
          config: trigger.config,
          enabled: false,
          ...(trigger.version ? { version: 2 } : {}),
        },
      });
    }
  });
});
