import 'server-only';
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { isSecretRef, isComputed } from '@/model/definition/is-expression';

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

/*
 * A step whose input holds no `$expr`, `$template` or `$secret` anywhere (a literal) resolves to
 * a copy of that literal on every run: resolveConfigValue copies plain data as it is. The
 * published document's config is parsed once per step object and serves every run, so its
 * literal input is the same object each time; frozen here, it cannot change. Parsing a copy of
 * it with a schema (pure: no clock, no environment) always gives the same answer, so that answer
 * is kept per literal and schema. It is used only when it was "valid, and the parse gives back
 * the input itself" (no default, no transform, no reordering): the fresh copy is then the parse.
 */

/** Literal config inputs (true) and those with something to resolve (false), by object. */
const literalInputs = new WeakMap<object, boolean>();
/** A resolved input → the literal config input it is a copy of. */
const copiesOfLiteral = new WeakMap<object, object>();
/** Per literal and schema: whether a copy of it parses to itself. */
const parsesToItself = new WeakMap<object, WeakMap<z.ZodTypeAny, boolean>>();

function holdsNothingToResolve(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (isComputed(value) || isSecretRef(value)) return false;
  return Object.values(value).every(holdsNothingToResolve);
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
}

/** Whether a config input is a literal; the first look freezes it. */
function isLiteralInput(config: object): boolean {
  let literal = literalInputs.get(config);
  if (literal === undefined) {
    literal = holdsNothingToResolve(config);
    if (literal) deepFreeze(config);
    literalInputs.set(config, literal);
  }
  return literal;
}

/** Notes that `resolved` is what resolveConfigValue made of the config input `config` (step-tools' resolveActionInput). */
export function noteResolvedInput(config: unknown, resolved: unknown): void {
  if (typeof config !== 'object' || config === null || typeof resolved !== 'object' || resolved === null) return;
  if (isLiteralInput(config)) copiesOfLiteral.set(resolved, config);
}

/**
 * `schema.safeParse(input)`, answered without parsing for a fresh copy of a literal config input
 * that an earlier copy showed to parse to itself (see above). Anything else is parsed.
 */
export function parseActionInput(schema: z.ZodTypeAny, input: unknown): z.SafeParseReturnType<unknown, unknown> {
  const literal = typeof input === 'object' && input !== null ? copiesOfLiteral.get(input) : undefined;
  const known = literal && parsesToItself.get(literal)?.get(schema);
  if (known) return { success: true, data: input };
  const parsed = schema.safeParse(input);
  if (literal && known === undefined) {
    // Key order too: a handler may send the input's objects as JSON.
    const itself =
      parsed.success && isDeepStrictEqual(parsed.data, input) && JSON.stringify(parsed.data) === JSON.stringify(input);
    const bySchema = parsesToItself.get(literal) ?? new WeakMap<z.ZodTypeAny, boolean>();
    bySchema.set(schema, itself);
    parsesToItself.set(literal, bySchema);
  }
  return parsed;
}
