/**
 * The value at an envelope path as the field picker writes it (`vars.total`,
 * `payload.items[0].price`) in a recorded envelope; `found: false` when it is not there.
 * Own keys only: a path never reads a prototype's property.
 */
export function valueAtPath(envelope: unknown, path: string): { found: boolean; value: unknown } {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  let value: unknown = envelope;
  for (const part of parts) {
    if (Array.isArray(value) && /^\d+$/.test(part)) value = value[Number(part)];
    else if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, part))
      value = (value as Record<string, unknown>)[part];
    else return { found: false, value: undefined };
    if (value === undefined) return { found: false, value: undefined };
  }
  return { found: true, value };
}

/** A one-line preview of a value for a list row: JSON, cut at `max` characters. */
export function previewValue(value: unknown, max = 40): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
