import { z } from 'zod';

/** `{ "$expr": "<JSONata>" }`: evaluated against the run's envelope when the step runs. */
/** ZExpr's complaint about a non-object value; lets messages tell its union branch from the literal one. */
export const EXPR_TYPE_MESSAGE = 'Expected an expression object {"$expr": …}';
export const ZExpr = z
  .object({ $expr: z.string().min(1, 'the expression is empty') }, { invalid_type_error: EXPR_TYPE_MESSAGE })
  .strict();
export type TExpr = z.infer<typeof ZExpr>;

/** ZTemplate's complaint about a non-object value, told apart from the literal branch like EXPR_TYPE_MESSAGE. */
export const TEMPLATE_TYPE_MESSAGE = 'Expected a template object {"$template": …}';
/** `{ "$template": "Dear {{ payload.name }}" }`: text with JSONata expressions, rendered when the step runs. */
export const ZTemplate = z.object({ $template: z.string() }, { invalid_type_error: TEMPLATE_TYPE_MESSAGE }).strict();
export type TTemplate = z.infer<typeof ZTemplate>;

/** `{ "$secret": "NAME" }`: a name from `env.secrets`, resolved only inside action calls. */
export const ZSecretRef = z.object({ $secret: z.string().min(1) }).strict();
export type TSecretRef = z.infer<typeof ZSecretRef>;

/** A config field that takes a literal of `schema`, or an expression or template producing one at run time. */
export function exprOr<S extends z.ZodTypeAny>(schema: S) {
  return z.union([ZExpr, ZTemplate, schema]);
}

/** Any JSON value (literal data, possibly containing expressions deeper down). */
export const ZJsonValue: z.ZodType<unknown> = z.unknown();
