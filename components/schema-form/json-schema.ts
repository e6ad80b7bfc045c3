/**
 * The part of JSON Schema the generated forms understand, and small pure helpers over it.
 * Anything else (oneOf, $ref, a missing type…) is edited as raw JSON by the form, so no schema
 * a workflow may publish leaves a field without a way to enter it.
 */
export type TJsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  properties?: Record<string, TJsonSchema>;
  required?: string[];
  additionalProperties?: boolean | TJsonSchema;
  items?: TJsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  readOnly?: boolean;
  [keyword: string]: unknown;
};

/** A field's location in the value, as a JSON Pointer ("" is the whole value, "/lines/0/sku" a nested one). */
export type TPointer = string;

/** Messages per field, keyed by JSON Pointer. */
export type TFieldErrors = Record<TPointer, string[]>;

export type TFieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'object' | 'array' | 'json';

/** Which control a schema gets; a type list like ["string","null"] uses its first non-null type. */
export function fieldKind(schema: TJsonSchema): TFieldKind {
  if (
    Array.isArray(schema.enum) &&
    schema.enum.length > 0 &&
    schema.enum.every((v) => ['string', 'number', 'boolean'].includes(typeof v))
  )
    return 'enum';
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === undefined && schema.properties) return 'object';
  switch (type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
    case 'object':
    case 'array':
      return type;
    default:
      return 'json';
  }
}

export function childPointer(parent: TPointer, key: string | number): TPointer {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export function pointerSegments(pointer: TPointer): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A human name for a field: its title, else its property name turned into words. */
export function fieldLabel(schema: TJsonSchema, key: string | number | undefined): string {
  if (schema.title) return schema.title;
  if (key === undefined) return 'Value';
  if (typeof key === 'number') return `Item ${key + 1}`;
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The starting value for a schema: its `default`, else for objects the defaults of their
 * properties (and `false` for required booleans, which a checkbox cannot leave unset),
 * else `undefined` (the key is left out so "required" can say it is missing).
 */
export function defaultValue(schema: TJsonSchema, required = false): unknown {
  if (schema.default !== undefined) return structuredClone(schema.default);
  const kind = fieldKind(schema);
  if (kind === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      const value = defaultValue(child, schema.required?.includes(key) ?? false);
      if (value !== undefined) result[key] = value;
    }
    return result;
  }
  if (kind === 'boolean' && required) return false;
  if (kind === 'array' && required) return [];
  return undefined;
}

/** Sets (or, with `undefined`, removes) the value at a pointer, copying only along the path. */
export function setAtPointer(root: unknown, pointer: TPointer, value: unknown): unknown {
  const segments = pointerSegments(pointer);
  if (segments.length === 0) return value;
  const [head = '', ...rest] = segments;
  const restPointer = rest.length === 0 ? '' : `/${rest.join('/')}`;
  if (Array.isArray(root)) {
    const copy = [...root];
    const index = Number(head);
    copy[index] = rest.length === 0 ? value : setAtPointer(copy[index], restPointer, value);
    return copy;
  }
  const base = typeof root === 'object' && root !== null ? { ...(root as Record<string, unknown>) } : {};
  const next = rest.length === 0 ? value : setAtPointer(base[head], restPointer, value);
  if (next === undefined) delete base[head];
  else base[head] = next;
  return base;
}

/** A pointer as words for messages: "/lines/0/sku" → "lines[0].sku". */
export function pointerToPath(pointer: TPointer): string {
  return pointerSegments(pointer)
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('');
}

/** A DOM id for the control at a pointer, unique within one form. */
export function controlId(idPrefix: string, pointer: TPointer): string {
  const safe = pointerSegments(pointer)
    .map((s) => s.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`))
    .join('--');
  return `${idPrefix}-f${safe ? `--${safe}` : ''}`;
}

/** The schema of the field at a pointer, or undefined when the schema does not describe it. */
export function schemaAtPointer(schema: TJsonSchema, pointer: TPointer): TJsonSchema | undefined {
  let current: TJsonSchema | undefined = schema;
  for (const segment of pointerSegments(pointer)) {
    if (!current) return undefined;
    const kind = fieldKind(current);
    current = kind === 'array' ? current.items : kind === 'object' ? current.properties?.[segment] : undefined;
  }
  return current;
}

/** "Customer › Lines › Line 2 › SKU": where a field sits, for an error summary (an item is named as the form labels it: its schema's title, else "Item"). */
export function labelAtPointer(schema: TJsonSchema, pointer: TPointer): string {
  const segments = pointerSegments(pointer);
  if (segments.length === 0) return schema.title ?? 'The form';
  const labels: string[] = [];
  let current: TJsonSchema | undefined = schema;
  for (const segment of segments) {
    const isIndex = current !== undefined && fieldKind(current) === 'array' && /^\d+$/.test(segment);
    current = current ? schemaAtPointer(current, `/${segment.replace(/~/g, '~0').replace(/\//g, '~1')}`) : undefined;
    labels.push(isIndex ? `${current?.title ?? 'Item'} ${Number(segment) + 1}` : fieldLabel(current ?? {}, segment));
  }
  return labels.join(' › ');
}
