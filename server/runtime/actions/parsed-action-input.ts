import 'server-only';
import type { z } from 'zod';

/** Action inputs callAction has parsed, with the schema that parsed them. */
const parsedWith = new WeakMap<object, z.ZodTypeAny>();

/** Notes that `value` is what `schema` parsed (step-tools' callAction, before the handler runs). */
export function rememberParsedInput(schema: z.ZodTypeAny, value: unknown): void {
  if (typeof value === 'object' && value !== null) parsedWith.set(value, schema);
}

/**
 * Whether `value` is, as it stands, what `schema` parsed: a handler need not parse it again.
 * A value rewritten since (a connection applied to an http.request input) is a new object, and
 * is parsed again.
 */
export function wasParsedWith(schema: z.ZodTypeAny, value: unknown): boolean {
  return typeof value === 'object' && value !== null && parsedWith.get(value) === schema;
}
