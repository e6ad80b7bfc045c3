import { fullFormats } from 'ajv-formats/dist/formats';

/** One problem, shaped like ajv's ErrorObject so the form words it the same way. */
export type TSchemaError = { keyword: string; instancePath: string; params: Record<string, unknown>; message?: string };

type TSchema = boolean | Record<string, unknown>;

const escapePointer = (segment: string | number) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1');

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeOf(value) === type;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeOf(a) !== typeOf(b) || typeof a !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a))
    return a.length === (b as unknown[]).length && a.every((item, i) => deepEqual(item, (b as unknown[])[i]));
  const left = Object.keys(a as object);
  const right = b as Record<string, unknown>;
  return (
    left.length === Object.keys(right).length &&
    left.every((key) => key in right && deepEqual((a as Record<string, unknown>)[key], right[key]))
  );
}

function checkFormat(format: string, value: string): boolean {
  const definition = (fullFormats as Record<string, unknown>)[format];
  // Unknown formats are not checked, as ajv does with strict off; the server has the last word.
  if (definition === undefined || definition === true) return true;
  const check =
    typeof definition === 'object' && definition !== null && !(definition instanceof RegExp)
      ? (definition as { validate: unknown }).validate
      : definition;
  if (check instanceof RegExp) return check.test(value);
  if (typeof check === 'function') return Boolean((check as (v: string) => boolean)(value));
  return true;
}

function resolveRef(root: TSchema, ref: string): TSchema {
  if (!ref.startsWith('#')) throw new Error(`only local references are supported here: ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
  }
  if (typeof node !== 'boolean' && (typeof node !== 'object' || node === null))
    throw new Error(`can't resolve reference ${ref}`);
  return node as TSchema;
}

/**
 * Checks `value` against a JSON Schema by walking it: no code is generated, so it runs in
 * pages whose Content-Security-Policy has no 'unsafe-eval' (ajv compiles every schema with
 * `new Function`). It covers the keywords forms use (types, required, properties, items,
 * enums and consts, bounds, lengths, patterns, ajv-formats' formats, local $ref, allOf,
 * anyOf, oneOf, not, if/then/else) and leaves anything else to the server, whose ajv check
 * of the same schema is the one that decides. A pattern that is not a regular expression
 * throws, as an unusable schema should.
 */
export function interpretSchema(root: TSchema, value: unknown): TSchemaError[] {
  assertPatternsCompile(root);
  const errors: TSchemaError[] = [];
  walk(root, root, value, '', errors, 0);
  return errors;
}

/** A broken pattern anywhere makes the schema unusable, as ajv's compile says, not only where a value reaches it. */
function assertPatternsCompile(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(assertPatternsCompile);
  if (typeof node !== 'object' || node === null) return;
  for (const [key, child] of Object.entries(node)) {
    if (key === 'pattern' && typeof child === 'string') new RegExp(child, 'u');
    if (key === 'patternProperties' && typeof child === 'object' && child !== null)
      for (const pattern of Object.keys(child)) new RegExp(pattern, 'u');
    if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples') assertPatternsCompile(child);
  }
}

function walk(root: TSchema, schema: TSchema, value: unknown, at: string, errors: TSchemaError[], depth: number): void {
  if (depth > 64) throw new Error('the schema nests references too deeply');
  if (schema === true) return;
  if (schema === false) {
    errors.push({ keyword: 'false schema', instancePath: at, params: {}, message: 'must not be present' });
    return;
  }
  const s = schema;
  const fail = (keyword: string, params: Record<string, unknown>, message?: string) =>
    errors.push({ keyword, instancePath: at, params, message });
  const sub = (child: unknown, childValue: unknown, childAt = at, into = errors) =>
    walk(root, child as TSchema, childValue, childAt, into, depth + 1);
  const passes = (child: unknown) => {
    const found: TSchemaError[] = [];
    sub(child, value, at, found);
    return { ok: found.length === 0, found };
  };

  if (typeof s.$ref === 'string') sub(resolveRef(root, s.$ref), value);

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [String(s.type)];
    if (!types.some((type) => hasType(value, type))) {
      fail('type', { type: types.join(',') });
      return; // the other keywords describe a value of the right type
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((option) => deepEqual(option, value)))
    fail('enum', { allowedValues: s.enum });
  if ('const' in s && !deepEqual(s.const, value)) fail('const', { allowedValue: s.const });

  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) fail('minimum', { limit: s.minimum });
    if (typeof s.maximum === 'number' && value > s.maximum) fail('maximum', { limit: s.maximum });
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum)
      fail('exclusiveMinimum', { limit: s.exclusiveMinimum });
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum)
      fail('exclusiveMaximum', { limit: s.exclusiveMaximum });
    if (
      typeof s.multipleOf === 'number' &&
      s.multipleOf > 0 &&
      !Number.isInteger(Number((value / s.multipleOf).toPrecision(12)))
    )
      fail('multipleOf', { multipleOf: s.multipleOf });
  }
  if (typeof value === 'string') {
    const length = [...value].length; // code points, as ajv counts
    if (typeof s.minLength === 'number' && length < s.minLength) fail('minLength', { limit: s.minLength });
    if (typeof s.maxLength === 'number' && length > s.maxLength) fail('maxLength', { limit: s.maxLength });
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value))
      fail('pattern', { pattern: s.pattern });
    if (typeof s.format === 'string' && !checkFormat(s.format, value)) fail('format', { format: s.format });
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail('minItems', { limit: s.minItems });
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) fail('maxItems', { limit: s.maxItems });
    if (s.uniqueItems === true) {
      outer: for (let i = value.length - 1; i > 0; i--) {
        for (let j = i - 1; j >= 0; j--) {
          if (deepEqual(value[i], value[j])) {
            fail('uniqueItems', { i, j });
            break outer;
          }
        }
      }
    }
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
    value.forEach((item, index) => {
      const child = index < prefix.length ? prefix[index] : s.items;
      if (child !== undefined) sub(child, item, `${at}/${index}`);
    });
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    for (const name of Array.isArray(s.required) ? (s.required as string[]) : []) {
      if (!(name in object)) fail('required', { missingProperty: name });
    }
    const properties = (typeof s.properties === 'object' && s.properties !== null ? s.properties : {}) as Record<
      string,
      unknown
    >;
    const patterns = Object.entries(
      (typeof s.patternProperties === 'object' && s.patternProperties !== null ? s.patternProperties : {}) as Record<
        string,
        unknown
      >,
    );
    for (const [key, item] of Object.entries(object)) {
      const childAt = `${at}/${escapePointer(key)}`;
      let known = false;
      if (Object.hasOwn(properties, key)) {
        known = true;
        sub(properties[key], item, childAt);
      }
      for (const [pattern, child] of patterns) {
        if (new RegExp(pattern, 'u').test(key)) {
          known = true;
          sub(child, item, childAt);
        }
      }
      if (!known && s.additionalProperties !== undefined) {
        if (s.additionalProperties === false) fail('additionalProperties', { additionalProperty: key });
        else sub(s.additionalProperties, item, childAt);
      }
    }
    const count = Object.keys(object).length;
    if (typeof s.minProperties === 'number' && count < s.minProperties)
      fail('minProperties', { limit: s.minProperties }, `must NOT have fewer than ${s.minProperties} properties`);
    if (typeof s.maxProperties === 'number' && count > s.maxProperties)
      fail('maxProperties', { limit: s.maxProperties }, `must NOT have more than ${s.maxProperties} properties`);
  }

  if (Array.isArray(s.allOf)) for (const child of s.allOf) sub(child, value);
  if (Array.isArray(s.anyOf)) {
    const tried = s.anyOf.map(passes);
    if (!tried.some((t) => t.ok)) {
      for (const t of tried) errors.push(...t.found);
      fail('anyOf', {});
    }
  }
  if (Array.isArray(s.oneOf)) {
    const tried = s.oneOf.map(passes);
    const matched = tried.filter((t) => t.ok).length;
    if (matched === 0) for (const t of tried) errors.push(...t.found);
    if (matched !== 1)
      fail(
        'oneOf',
        { passingSchemas: matched },
        matched === 0 ? 'must match one of the allowed shapes' : 'must match exactly one of the allowed shapes',
      );
  }
  if (s.not !== undefined && passes(s.not).ok) fail('not', {}, 'must NOT be valid against the "not" schema');
  if (s.if !== undefined) {
    const branch = passes(s.if).ok ? s.then : s.else;
    if (branch !== undefined) sub(branch, value);
  }
}
