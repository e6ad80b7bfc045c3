/** A JSON Schema as the registry publishes it (draft-07, from zod-to-json-schema). */
export type TSchema = Record<string, unknown>;

/** How the form shows a value of a schema. */
export type TSchemaKind =
  | { kind: 'string'; format?: string; pattern?: string; maxLength?: number }
  | { kind: 'number'; integer: boolean; minimum?: number; maximum?: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; options: string[] }
  | { kind: 'const'; value: unknown }
  | { kind: 'object'; properties: Array<[string, TSchema]>; required: string[] }
  | { kind: 'map'; values: TSchema }
  | { kind: 'array'; items: TSchema }
  /** A nested pipe: the canvas shows it, not the form. */
  | { kind: 'pipe' }
  /** Several literal shapes (`{role}` or `{user}`, a number or "latest"). */
  | { kind: 'variants'; options: TSchema[] }
  /** Any JSON. */
  | { kind: 'any' };

function isObject(value: unknown): value is TSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const EXPR_REF = '#/definitions/Expr';
const TEMPLATE_REF = '#/definitions/Template';
const STEP_REF = '#/definitions/Step';

/** Splits `anyOf: [Expr, literal]` into "takes an expression" and the literal's schema. */
export function splitExpression(schema: TSchema): { expression: boolean; literal: TSchema } {
  const anyOf = Array.isArray(schema.anyOf) ? schema.anyOf.filter(isObject) : null;
  if (!anyOf || !anyOf.some((option) => option.$ref === EXPR_REF)) return { expression: false, literal: schema };
  const rest = anyOf.filter((option) => option.$ref !== EXPR_REF && option.$ref !== TEMPLATE_REF);
  const { anyOf: _dropped, ...outer } = schema;
  const literal = rest.length === 1 ? { ...outer, ...rest[0] } : { ...outer, anyOf: rest };
  return { expression: true, literal };
}

/**
 * Whether a field may hold `{ "$expr": … }`: when its schema says so, and when it takes any
 * JSON at all (a transform.assign value, a return's output), because SPEC §4.2 lets every
 * config value be an expression and such a schema cannot say it.
 */
export function takesExpression(schema: TSchema): boolean {
  const { expression, literal } = splitExpression(schema);
  return expression || schemaKind(literal).kind === 'any';
}

/** A short name for a variant, for the variant switch: "role", "user", "number", "latest". */
export function variantLabel(schema: TSchema): string {
  if (schema.const !== undefined) return String(schema.const);
  if (isObject(schema.properties)) return Object.keys(schema.properties).join(', ') || 'object';
  if (typeof schema.type === 'string')
    return schema.type === 'integer' ? 'number' : schema.type === 'array' ? 'list' : schema.type;
  return 'value';
}

/** Which variant a literal value is, by a cheap structural match. */
export function matchVariant(options: TSchema[], value: unknown): number {
  const index = options.findIndex((option) => {
    if (option.const !== undefined) return option.const === value;
    if (isObject(option.properties) && isObject(value))
      return Object.keys(option.properties).some((key) => key in value);
    switch (option.type) {
      case 'string':
        return typeof value === 'string';
      case 'number':
      case 'integer':
        return typeof value === 'number';
      case 'boolean':
        return typeof value === 'boolean';
      case 'array':
        return Array.isArray(value);
      case 'null':
        return value === null;
      default:
        return false;
    }
  });
  return Math.max(index, 0);
}

/** What to put in a field when someone switches to a shape or adds an item. */
export function emptyValueFor(schema: TSchema): unknown {
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (schema.const !== undefined) return schema.const;
  const kind = schemaKind(schema);
  switch (kind.kind) {
    case 'string':
      return '';
    case 'number':
      return kind.minimum ?? 0;
    case 'boolean':
      return false;
    case 'enum':
      return kind.options[0] ?? '';
    case 'object':
      return Object.fromEntries(
        kind.properties
          .filter(([name]) => kind.required.includes(name))
          .map(([name, child]) => [name, emptyValueFor(splitExpression(child).literal)]),
      );
    case 'map':
      return {};
    case 'array':
    case 'pipe':
      return [];
    case 'variants':
      return kind.options[0] ? emptyValueFor(kind.options[0]) : null;
    case 'const':
      return kind.value;
    case 'any':
      return null;
  }
}

/** Reads a (literal) schema into the kind of control that edits it. */
export function schemaKind(schema: TSchema): TSchemaKind {
  if (schema.$ref === STEP_REF) return { kind: 'pipe' };
  if (schema.type === 'array' && isObject(schema.items) && schema.items.$ref === STEP_REF) return { kind: 'pipe' };
  if (Array.isArray(schema.anyOf)) return { kind: 'variants', options: schema.anyOf.filter(isObject) };
  if (Array.isArray(schema.type)) return { kind: 'variants', options: schema.type.map((type) => ({ type })) };
  if (Array.isArray(schema.enum)) return { kind: 'enum', options: schema.enum.map(String) };
  if (schema.const !== undefined) return { kind: 'const', value: schema.const };
  switch (schema.type) {
    case 'string':
      return {
        kind: 'string',
        format: typeof schema.format === 'string' ? schema.format : undefined,
        pattern: typeof schema.pattern === 'string' ? schema.pattern : undefined,
        maxLength: typeof schema.maxLength === 'number' ? schema.maxLength : undefined,
      };
    case 'number':
    case 'integer':
      return {
        kind: 'number',
        integer: schema.type === 'integer',
        minimum: typeof schema.minimum === 'number' ? schema.minimum : undefined,
        maximum: typeof schema.maximum === 'number' ? schema.maximum : undefined,
      };
    case 'boolean':
      return { kind: 'boolean' };
    case 'array':
      return { kind: 'array', items: isObject(schema.items) ? schema.items : {} };
    case 'object': {
      if (isObject(schema.properties) && Object.keys(schema.properties).length > 0) {
        return {
          kind: 'object',
          properties: Object.entries(schema.properties).filter((entry): entry is [string, TSchema] =>
            isObject(entry[1]),
          ),
          required: Array.isArray(schema.required) ? schema.required.map(String) : [],
        };
      }
      return { kind: 'map', values: isObject(schema.additionalProperties) ? schema.additionalProperties : {} };
    }
    default:
      return { kind: 'any' };
  }
}

/** Turns a camelCase key into a label: `idempotencyKey` → "Idempotency key", `timeoutMs` → "Timeout (ms)". */
export function labelFor(key: string): string {
  const unit = /[a-z0-9]Ms$/.test(key) ? ' (ms)' : '';
  const base = unit ? key.slice(0, -2) : key;
  const words = base
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1) + unit;
}
