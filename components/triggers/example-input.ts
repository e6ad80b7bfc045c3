import { fieldKind, type TJsonSchema } from '@/components/schema-form/json-schema';

/**
 * A body shaped like a workflow's parameter schema for the curl example: each field's default,
 * else its first allowed value, else an empty value of its type (lower bound for numbers), so
 * people see the field names and replace the values.
 *
 * @example
 * exampleInput({ type: 'object', properties: { amount: { type: 'number', minimum: 1 }, tag: { enum: ['a', 'b'] } } })
 * // → { amount: 1, tag: 'a' }
 */
export function exampleInput(schema: TJsonSchema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  switch (fieldKind(schema)) {
    case 'enum':
      return schema.enum?.[0];
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, child]) => [key, exampleInput(child)]),
      );
    case 'array':
      return [];
    case 'number':
    case 'integer':
      return schema.minimum ?? schema.exclusiveMinimum ?? 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'json':
      return null;
  }
}
