import 'server-only';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

// One validator instance: compiling Ajv's meta-schemas is the expensive part.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);

/**
 * Problems with a JSON Schema itself (not with data): unknown types, malformed keywords,
 * uncompilable patterns. Empty when the schema is usable for forms and input validation.
 */
export function checkJsonSchema(schema: unknown): Array<{ path: string; message: string }> {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    return [{ path: '', message: 'must be a JSON Schema object' }];
  const problems: Array<{ path: string; message: string }> = [];
  if (!ajv.validateSchema(schema)) {
    // The meta-schema reports one mistake several times (each anyOf branch); keep one
    // sentence per location, preferring the one that lists what is allowed.
    const byPath = new Map<string, string>();
    for (const error of ajv.errors ?? []) {
      const path = error.instancePath
        .split('/')
        .filter(Boolean)
        .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
        .join('')
        .replace(/^\./, '');
      const allowed =
        error.keyword === 'enum'
          ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')})`
          : '';
      if (!byPath.has(path) || allowed) byPath.set(path, `${error.message ?? 'is invalid'}${allowed}`);
    }
    // A wrong item (`type[1]`) also fails its container (`type`) through an anyOf; the
    // deepest location is the one to fix.
    const isAncestor = (path: string) =>
      [...byPath.keys()].some(
        (other) => other !== path && (path === '' || other.startsWith(`${path}.`) || other.startsWith(`${path}[`)),
      );
    for (const [path, message] of byPath)
      if (!isAncestor(path)) problems.push({ path, message: `is not valid JSON Schema: ${message}` });
    return problems;
  }
  try {
    ajv.compile(schema);
  } catch (error) {
    problems.push({ path: '', message: `is not a usable JSON Schema: ${(error as Error).message}` });
  }
  return problems;
}
