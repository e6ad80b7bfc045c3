/** An object JSON Schema as the designer edits it (a run's parameters, a human task's form). */
export type TObjectSchema = Record<string, unknown>;

/** One property of an object schema, as one row of the editor. */
export type TPropertyRow = { name: string; schema: TObjectSchema; required: boolean };

function asObject(value: unknown): TObjectSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as TObjectSchema) : {};
}

/** The rows of an object schema, in property order; anything that is not an object reads as no rows. */
export function propertyRows(schema: unknown): TPropertyRow[] {
  const object = asObject(schema);
  const required = new Set(Array.isArray(object.required) ? object.required.map(String) : []);
  return Object.entries(asObject(object.properties)).map(([name, property]) => ({
    name,
    schema: asObject(property),
    required: required.has(name),
  }));
}

/**
 * The schema with these rows as its properties. Every other keyword of the schema (title,
 * additionalProperties, …) is kept; `required` lists the required rows in property order and is
 * left out when there are none.
 */
export function withRows(schema: unknown, rows: readonly TPropertyRow[]): TObjectSchema {
  const { required: _old, properties: _oldProperties, ...rest } = asObject(schema);
  const required = rows.filter((row) => row.required).map((row) => row.name);
  return {
    ...rest,
    type: 'object',
    properties: Object.fromEntries(rows.map((row) => [row.name, row.schema])),
    ...(required.length > 0 ? { required } : {}),
  };
}

/** Why row `index` cannot be called `name` (empty, or another row's name, which would drop that row), or null when it can. */
export function renameProblem(rows: readonly TPropertyRow[], index: number, name: string): string | null {
  if (name.trim() === '') return 'Give the field a name.';
  if (name !== name.trim()) return 'A name cannot start or end with a space.';
  if (rows.some((row, other) => other !== index && row.name === name))
    return `Another field is already called “${name}”.`;
  return null;
}

/** A name for a new row: `field1`, `field2`, … the first one not taken. */
export function newRowName(rows: readonly TPropertyRow[]): string {
  const taken = new Set(rows.map((row) => row.name));
  let n = rows.length + 1;
  while (taken.has(`field${n}`)) n += 1;
  return `field${n}`;
}

/** Allowed values typed as "a, b, c": trimmed, blanks dropped; undefined (no enum) when none is left. */
export function parseAllowedValues(text: string): string[] | undefined {
  const values = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return values.length > 0 ? [...new Set(values)] : undefined;
}
