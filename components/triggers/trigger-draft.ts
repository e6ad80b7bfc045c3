import type { z } from 'zod';
import type { ZTriggerDefinition } from '@/model/definition/trigger-config';

/** A definition as the server accepts it (defaults may be left out). */
type TTriggerDefinition = z.input<typeof ZTriggerDefinition>;

/** What the "New trigger" form holds while people type: strings as typed, for every type at once, so switching type loses nothing. */
export type TTriggerDraft = {
  type: 'webhook' | 'schedule' | 'event';
  /** "latest" or a published version number. */
  version: string;
  enabled: boolean;
  mode: 'async' | 'sync';
  secret: string;
  rateLimitPerMinute: string;
  waitMs: string;
  cron: string;
  timezone: string;
  scheduleInput: string;
  event: string;
  filter: string;
  input: string;
};

/** The server's paths the form shows inline; an error at any other path is shown for the whole form. */
export const TRIGGER_FIELDS = [
  'version',
  'config.mode',
  'config.secret',
  'config.rateLimitPerMinute',
  'config.waitMs',
  'config.cron',
  'config.timezone',
  'config.input',
  'config.event',
  'config.filter',
] as const;

export function emptyTriggerDraft(): TTriggerDraft {
  return {
    type: 'webhook',
    version: 'latest',
    enabled: true,
    mode: 'async',
    secret: '',
    rateLimitPerMinute: '',
    waitMs: '',
    cron: '',
    timezone: '',
    scheduleInput: '',
    event: '',
    filter: '',
    input: '',
  };
}

type TBuilt =
  { ok: true; definition: TTriggerDefinition & { enabled: boolean } } | { ok: false; errors: Record<string, string> };

/** A whole number typed in a box, or undefined when left empty (the server's default applies). */
function wholeNumber(text: string, path: string, errors: Record<string, string>): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (!/^\d+$/.test(trimmed)) {
    errors[path] = 'Must be a whole number.';
    return undefined;
  }
  return Number(trimmed);
}

const optionalText = (text: string) => (text.trim() === '' ? undefined : text.trim());

/**
 * The draft as a trigger definition (ZTriggerDefinition's shape), or what the form can already
 * tell is wrong, at the same paths the server uses. Everything else (cron, time zone, JSONata,
 * ranges) the server checks and answers at those paths.
 *
 * @example
 * buildTriggerDefinition({ ...emptyTriggerDraft(), type: 'schedule', cron: '0 9 * * *', timezone: 'Europe/Berlin' })
 * // → { ok: true, definition: { type: 'schedule', config: { cron: '0 9 * * *', timezone: 'Europe/Berlin' }, enabled: true } }
 */
export function buildTriggerDefinition(draft: TTriggerDraft): TBuilt {
  const errors: Record<string, string> = {};
  const version = draft.version === 'latest' ? undefined : Number(draft.version);
  const base = { enabled: draft.enabled, ...(version === undefined ? {} : { version }) };
  switch (draft.type) {
    case 'webhook': {
      const rateLimitPerMinute = wholeNumber(draft.rateLimitPerMinute, 'config.rateLimitPerMinute', errors);
      const waitMs = draft.mode === 'sync' ? wholeNumber(draft.waitMs, 'config.waitMs', errors) : undefined;
      if (Object.keys(errors).length > 0) return { ok: false, errors };
      const config = {
        mode: draft.mode,
        ...(draft.secret ? { secret: draft.secret } : {}),
        ...(rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute }),
        ...(waitMs === undefined ? {} : { waitMs }),
      };
      return { ok: true, definition: { type: 'webhook', config, ...base } };
    }
    case 'schedule': {
      let input: Record<string, unknown> | undefined;
      if (draft.scheduleInput.trim() !== '') {
        try {
          const parsed: unknown = JSON.parse(draft.scheduleInput);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
            errors['config.input'] = 'Must be a JSON object, like { "report": "daily" }.';
          else input = parsed as Record<string, unknown>;
        } catch (error) {
          errors['config.input'] = `Is not valid JSON: ${(error as Error).message}`;
        }
      }
      if (draft.cron.trim() === '') errors['config.cron'] = 'Required: enter a cron expression, like 0 9 * * 1-5.';
      if (draft.timezone.trim() === '')
        errors['config.timezone'] = 'Required: enter a time zone, like Europe/Berlin or UTC.';
      if (Object.keys(errors).length > 0) return { ok: false, errors };
      return {
        ok: true,
        definition: {
          type: 'schedule',
          config: { cron: draft.cron.trim(), timezone: draft.timezone.trim(), ...(input ? { input } : {}) },
          ...base,
        },
      };
    }
    case 'event': {
      if (draft.event.trim() === '')
        return { ok: false, errors: { 'config.event': 'Required: enter the event name, like invoice.received.' } };
      const filter = optionalText(draft.filter);
      const input = optionalText(draft.input);
      return {
        ok: true,
        definition: {
          type: 'event',
          config: { event: draft.event.trim(), ...(filter ? { filter } : {}), ...(input ? { input } : {}) },
          ...base,
        },
      };
    }
  }
}

/** A stored trigger as the form's draft, for editing it (manual triggers have nothing to edit). */
export function draftFromTrigger(trigger: {
  type: 'webhook' | 'schedule' | 'event';
  config: Record<string, unknown>;
  version: number | null;
  enabled: boolean;
}): TTriggerDraft {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const count = (value: unknown) => (typeof value === 'number' ? String(value) : '');
  const { config } = trigger;
  return {
    ...emptyTriggerDraft(),
    type: trigger.type,
    version: trigger.version === null ? 'latest' : String(trigger.version),
    enabled: trigger.enabled,
    ...(trigger.type === 'webhook' && {
      mode: config.mode === 'sync' ? 'sync' : 'async',
      secret: text(config.secret),
      rateLimitPerMinute: count(config.rateLimitPerMinute),
      waitMs: count(config.waitMs),
    }),
    ...(trigger.type === 'schedule' && {
      cron: text(config.cron),
      timezone: text(config.timezone),
      scheduleInput: config.input === undefined ? '' : JSON.stringify(config.input, null, 2),
    }),
    ...(trigger.type === 'event' && {
      event: text(config.event),
      filter: text(config.filter),
      input: text(config.input),
    }),
  };
}
