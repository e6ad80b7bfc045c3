import 'server-only';
import type { z } from 'zod';
import { ignoreOverride, zodToJsonSchema } from 'zod-to-json-schema';
import { ZExpr, ZTemplate } from '@/model/definition/expression-value';
import { ZStep } from '@/model/definition/step';

export type TJsonSchema = Record<string, unknown>;

/**
 * Schemas rendered once under `definitions` and referenced by name wherever they occur.
 *
 * Nested pipes: every `Step[]` field (then, cases[i].steps, try, …) becomes
 * `{ type: 'array', items: { $ref: '#/definitions/Step' } }`. `Step` is the generic step of the
 * version document (id, type, name, config as a free object, retry, onError…): a nested
 * step's config is described by its own node type's schema from this same registry, so the
 * definition never recurses and a form generator can treat "array of #/definitions/Step" as
 * the marker for "render a nested pipe here" instead of a form field.
 *
 * Expressions: `{ $expr }` becomes `{ $ref: '#/definitions/Expr' }`, so a field that accepts
 * an expression is `anyOf: [{ $ref: '#/definitions/Expr' }, <literal schema>]` and the
 * designer can offer a literal/expression toggle by spotting that ref.
 */
const SHARED_DEFINITIONS: ReadonlyArray<readonly [string, z.ZodTypeAny]> = [
  ['Step', ZStep],
  ['Expr', ZExpr],
  ['Template', ZTemplate],
];

function convert(schema: z.ZodTypeAny, rootName: string | null): TJsonSchema {
  return zodToJsonSchema(schema, {
    target: 'jsonSchema7',
    // Everything else is inlined: refs into sibling properties are unreadable for a form generator.
    $refStrategy: 'none',
    override: (def) => {
      const shared = SHARED_DEFINITIONS.find(([, candidate]) => candidate._def === def);
      if (!shared || shared[0] === rootName) return ignoreOverride;
      return { $ref: `#/definitions/${shared[0]}` };
    },
  }) as TJsonSchema;
}

/** A zod schema as a draft-07 JSON Schema, with the shared definitions it references attached. */
export function toJsonSchema(schema: z.ZodTypeAny): TJsonSchema {
  const root = convert(schema, null);
  const text = JSON.stringify(root);
  const used = SHARED_DEFINITIONS.filter(([name]) => text.includes(`"#/definitions/${name}"`));
  if (used.length === 0) return root;
  return {
    ...root,
    definitions: Object.fromEntries(used.map(([name, shared]) => [name, stripSchemaKeyword(convert(shared, name))])),
  };
}

function stripSchemaKeyword(schema: TJsonSchema): TJsonSchema {
  const { $schema: _dropped, ...rest } = schema;
  return rest;
}
