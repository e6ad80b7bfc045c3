import { childPointer, type TFieldErrors, type TJsonSchema, type TPointer } from '@/components/schema-form/json-schema';
import { interpretSchema, type TSchemaError } from '@/components/schema-form/interpret-schema';

// The server checks input with ajv (server/runtime/validate-run-input.ts), which compiles each
// schema to code with `new Function`: the pages' CSP forbids that ('unsafe-eval'), so the
// browser interprets the schema instead (interpret-schema.ts, the same formats, errors in
// ajv's shape). The server's answer still decides, and its messages show inline as well.

const FORMAT_HINTS: Record<string, string> = {
  email: 'an email address, like name@example.com',
  date: 'a date (YYYY-MM-DD)',
  'date-time': 'a date and time with a time zone, like 2026-01-31T09:30:00Z',
  time: 'a time (HH:MM:SS)',
  uri: 'a full URL with its scheme, like https://example.com',
  url: 'a full URL with its scheme, like https://example.com',
  uuid: 'a UUID',
  hostname: 'a host name',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  duration: 'an ISO 8601 duration, like P1D',
};

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'empty',
};

const TYPE_EXAMPLES: Record<string, string> = { number: '12.5 or 12,5', integer: '12' };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One ajv error as a sentence a person can act on, and the field it belongs to. */
function describe(error: TSchemaError): { pointer: TPointer; message: string } {
  const p = error.params as Record<string, unknown>;
  const at = error.instancePath;
  switch (error.keyword) {
    case 'required':
      return { pointer: childPointer(at, String(p.missingProperty)), message: 'Required: enter a value.' };
    case 'format':
      return {
        pointer: at,
        message: `Must be ${FORMAT_HINTS[String(p.format)] ?? `in the format "${String(p.format)}"`}.`,
      };
    case 'type': {
      const types = String(p.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t);
      // Say what to type, for the types a person types (a decimal comma is read too).
      const example = types.length === 1 ? TYPE_EXAMPLES[String(p.type)] : undefined;
      return { pointer: at, message: `Must be ${types.join(' or ')}${example ? `, like ${example}` : ''}.` };
    }
    case 'minimum':
      return { pointer: at, message: `Must be at least ${String(p.limit)}.` };
    case 'maximum':
      return { pointer: at, message: `Must be at most ${String(p.limit)}.` };
    case 'exclusiveMinimum':
      return { pointer: at, message: `Must be greater than ${String(p.limit)}.` };
    case 'exclusiveMaximum':
      return { pointer: at, message: `Must be less than ${String(p.limit)}.` };
    case 'multipleOf':
      return { pointer: at, message: `Must be a multiple of ${String(p.multipleOf)}.` };
    case 'minLength':
      return {
        pointer: at,
        message:
          Number(p.limit) === 1
            ? 'Required: enter a value.'
            : `Must be at least ${plural(Number(p.limit), 'character')}.`,
      };
    case 'maxLength':
      return { pointer: at, message: `Must be at most ${plural(Number(p.limit), 'character')}.` };
    case 'pattern':
      return { pointer: at, message: `Must match the pattern ${String(p.pattern)}.` };
    case 'enum':
      return {
        pointer: at,
        message: `Must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`,
      };
    case 'const':
      return { pointer: at, message: `Must be ${JSON.stringify(p.allowedValue)}.` };
    case 'minItems':
      return { pointer: at, message: `Needs at least ${plural(Number(p.limit), 'item')}.` };
    case 'maxItems':
      return { pointer: at, message: `Allows at most ${plural(Number(p.limit), 'item')}.` };
    case 'uniqueItems':
      return {
        pointer: at,
        message: `Items ${Number(p.j) + 1} and ${Number(p.i) + 1} are the same; each item must be different.`,
      };
    case 'additionalProperties':
      return { pointer: at, message: `Has a field the schema does not allow: "${String(p.additionalProperty)}".` };
    default: {
      const text = error.message ?? 'is not valid';
      return { pointer: at, message: `${text.charAt(0).toUpperCase()}${text.slice(1)}.` };
    }
  }
}

/**
 * Checks a value against a JSON Schema (draft 2020-12, formats from ajv-formats, no code generated) and returns
 * the problems per field, keyed by JSON Pointer; `{}` when the value fits.
 *
 * @example
 * validateAgainstSchema({ type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } }, { email: 'x' })
 * // → { '/email': ['Must be an email address, like name@example.com.'] }
 */
export function validateAgainstSchema(schema: TJsonSchema, value: unknown): TFieldErrors {
  let found: TSchemaError[];
  try {
    found = interpretSchema(schema as Record<string, unknown>, value);
  } catch (error) {
    return { '': [`The form's schema is not usable: ${(error as Error).message}`] };
  }
  const errors: TFieldErrors = {};
  for (const error of found) {
    // anyOf/oneOf report each branch and then themselves; the umbrella adds nothing to act on.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') continue;
    const { pointer, message } = describe(error);
    const list = (errors[pointer] ??= []);
    if (!list.includes(message)) list.push(message);
  }
  return errors;
}

/** Whether a field-error map holds any message. */
export function hasErrors(errors: TFieldErrors | undefined): boolean {
  return Object.values(errors ?? {}).some((list) => list.length > 0);
}

/**
 * Server-side validation messages (SPEC §4.5's 422 details, `{path: "input.lines.0.sku", message}`,
 * or a server action's `fields` map) as field errors, so the form shows them inline too.
 */
export function fieldErrorsFromServer(
  issues: Array<{ path: string; message: string }>,
  prefix = 'input',
): TFieldErrors {
  const errors: TFieldErrors = {};
  for (const issue of issues) {
    const segments = issue.path.split('.').filter(Boolean);
    if (segments[0] === prefix) segments.shift();
    let pointer = segments.reduce<TPointer>((at, segment) => childPointer(at, segment), '');
    let message = issue.message;
    // ajv reports a missing property on its parent; put it on the field that is missing.
    const missing = /must have required property '([^']+)'/.exec(message);
    if (missing) {
      pointer = childPointer(pointer, missing[1] ?? '');
      message = 'Required: enter a value.';
    }
    const list = (errors[pointer] ??= []);
    if (!list.includes(message)) list.push(message);
  }
  return errors;
}
