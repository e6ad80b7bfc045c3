/** A config value that is exactly `{ "$expr": "<JSONata>" }` (SPEC §4.2); extra keys make it plain data. */
export function isExpression(value: unknown): value is { $expr: string } {
  return isSingleKeyObject(value, '$expr') && typeof value.$expr === 'string';
}

/** A config value that is exactly `{ "$template": "…{{ expr }}…" }` (SPEC §9); allowed wherever `$expr` is. */
export function isTemplate(value: unknown): value is { $template: string } {
  return isSingleKeyObject(value, '$template') && typeof value.$template === 'string';
}

/** A value computed when the step runs: an expression or a template. */
export function isComputed(value: unknown): value is { $expr: string } | { $template: string } {
  return isExpression(value) || isTemplate(value);
}

/** A config value that is exactly `{ "$secret": "<NAME>" }`, allowed only in action.call inputs. */
export function isSecretRef(value: unknown): value is { $secret: string } {
  return isSingleKeyObject(value, '$secret') && typeof value.$secret === 'string';
}

function isSingleKeyObject<K extends string>(value: unknown, key: K): value is Record<K, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === key;
}
