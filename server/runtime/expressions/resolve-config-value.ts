import { formatIssuePath } from '@/model/errors';
import { evaluateExpression } from './evaluate-expression';
import { ExpressionError } from './expression-error';
import type { TExpressionBindings, TExpressionEnvelope } from './expression-envelope';
import { isExpression, isSecretRef, isTemplate } from '../../../model/definition/is-expression';
import { renderTemplate } from './template';

type TResolveInput = {
  value: unknown;
  envelope: TExpressionEnvelope;
  bindings?: TExpressionBindings;
  stepId?: string;
  /** Where `value` sits, for messages; defaults to `config`. */
  path?: string;
  /** Only action.call inputs pass this (SPEC §4.2); anywhere else a `$secret` is an error. */
  resolveSecret?: (name: string) => Promise<string>;
};

/**
 * Resolves a step's config value: `{ "$expr": "…" }` is evaluated, `{ "$secret": "…" }` is
 * resolved when allowed, other objects and arrays are walked, everything else is a literal.
 * An expression's result is returned as data and never walked again, so data that happens
 * to look like `{ "$expr": … }` (from the payload, or produced by an expression) is never
 * evaluated. Errors name the config path, e.g. `config.input.url`.
 *
 * @example await resolveConfigValue({ value: { url: { $expr: 'vars.base & "/x"' } }, envelope, stepId: 'call', path: 'config.input' })
 */
export async function resolveConfigValue(input: TResolveInput): Promise<unknown> {
  return resolveAt(input, input.value, [input.path ?? 'config']);
}

async function resolveAt(input: TResolveInput, value: unknown, path: Array<string | number>): Promise<unknown> {
  if (isExpression(value)) {
    try {
      return await evaluateExpression({
        source: value.$expr,
        envelope: input.envelope,
        bindings: input.bindings,
        stepId: input.stepId,
      });
    } catch (error) {
      if (error instanceof ExpressionError) throw atPath(error, path, input.stepId);
      throw error;
    }
  }
  if (isTemplate(value)) {
    try {
      return await renderTemplate({
        source: value.$template,
        envelope: input.envelope,
        bindings: input.bindings,
        stepId: input.stepId,
      });
    } catch (error) {
      if (error instanceof ExpressionError) throw atPath(error, path, input.stepId);
      throw error;
    }
  }
  if (isSecretRef(value)) {
    if (!input.resolveSecret) {
      throw new ExpressionError(
        `${formatIssuePath(path)}: a { "$secret" } reference is only allowed in action.call inputs`,
        {
          stepId: input.stepId,
          details: { path: formatIssuePath(path), reason: 'SECRET_NOT_ALLOWED' },
        },
      );
    }
    return input.resolveSecret(value.$secret);
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const [index, item] of value.entries()) out.push(await resolveAt(input, item, [...path, index]));
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty keeps a "__proto__" key an own property of the copy.
      Object.defineProperty(out, key, {
        value: await resolveAt(input, item, [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** The same error with the config path in front of the message, keeping limit and position. */
function atPath(error: ExpressionError, path: Array<string | number>, stepId: string | undefined): ExpressionError {
  const where = formatIssuePath(path);
  const prefix = stepId ? `Step "${stepId}": ` : '';
  const rest = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new ExpressionError(`${where}: ${rest}`, {
    stepId,
    limit: error.limit,
    position: error.position,
    details: { path: where },
  });
}
