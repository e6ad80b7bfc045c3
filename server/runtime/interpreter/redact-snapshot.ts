import 'server-only';
export const REDACTED = '[redacted]';
export const SNAPSHOT_MAX_BYTES = 64 * 1024;
// Room for `{"$truncated":true,"originalBytes":…}` with a size of up to 10 digits.
const MARKER_BYTES = 64;

// Keys whose values are secrets by any reasonable reading, masked wherever they appear.
const SECRET_KEY = /(pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential|private[-_]?key)/i;

function unescapePointer(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Masks secret-looking keys and JSON Pointers (`settings.redact`) in a copy of the envelope.
 * The walk makes the copy; the pointers are then applied to that copy, never to the original.
 */
export function redactEnvelope(envelope: Record<string, unknown>, pointers: readonly string[]): unknown {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(node)) {
        const value = (node as Record<string, unknown>)[key];
        const copied = SECRET_KEY.test(key) && value !== null && typeof value !== 'object' ? REDACTED : walk(value);
        // defineProperty keeps a "__proto__" key an own property of the copy; every other key
        // is assigned (a snapshot walks every value of the envelope on every step).
        if (key === '__proto__')
          Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
        else out[key] = copied;
      }
      return out;
    }
    return node;
  };
  const copy = walk(envelope);
  for (const pointer of pointers) {
    const parts = pointer.split('/').slice(1).map(unescapePointer);
    let node: unknown = copy;
    for (const [index, part] of parts.entries()) {
      if (typeof node !== 'object' || node === null) break;
      const record = node as Record<string, unknown>;
      if (!Object.hasOwn(record, part)) break;
      if (index === parts.length - 1) record[part] = REDACTED;
      else node = record[part];
    }
  }
  return copy;
}

/**
 * Caps a snapshot at SNAPSHOT_MAX_BYTES. Over the cap, large values are replaced, biggest
 * first, by a marker saying how big they were, so what is kept is still valid JSON and
 * the viewer can show exactly what was cut. `json` is what is kept, as JSON text.
 */
export function capSnapshot(
  snapshot: unknown,
  maxBytes = SNAPSHOT_MAX_BYTES,
): { snapshot: unknown; json: string; truncated: boolean; sizeBytes: number } {
  const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? 'null');
  // Measured on the text the commit stores: one JSON.stringify of the snapshot, not two.
  const json = JSON.stringify(snapshot) ?? 'null';
  const original = Buffer.byteLength(json);
  if (original <= maxBytes) return { snapshot, json, truncated: false, sizeBytes: original };
  const copy = structuredClone(snapshot);
  // Every (parent, key) with its size; `containers` says whether objects and arrays qualify.
  const slotsOf = (containers: boolean) => {
    const slots: Array<{ parent: Record<string | number, unknown>; key: string | number; bytes: number }> = [];
    const collect = (node: unknown) => {
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        const container = typeof value === 'object' && value !== null;
        if (container === containers) slots.push({ parent: node as Record<string, unknown>, key, bytes: size(value) });
        collect(value);
      }
    };
    collect(copy);
    return slots.sort((a, b) => b.bytes - a.bytes);
  };
  let current = original;
  const replaceBiggest = (slots: ReturnType<typeof slotsOf>) => {
    for (const slot of slots) {
      if (current <= maxBytes) return;
      if (slot.bytes < 256) continue;
      slot.parent[slot.key] = { $truncated: true, originalBytes: slot.bytes };
      current = size(copy);
    }
  };
  // Big leaves (long strings) first: an object holding one huge string is always bigger than
  // the string, and replacing the object would hide its small siblings for no reason.
  replaceBiggest(slotsOf(false));
  // Then whole objects and arrays (many small items), each time the smallest one whose
  // replacement is enough, so a big list is cut rather than all of `vars` around it.
  while (current > maxBytes) {
    const slots = slotsOf(true).filter((slot) => slot.bytes >= 256);
    if (slots.length === 0) break;
    const enough = slots.filter((slot) => slot.bytes - MARKER_BYTES >= current - maxBytes);
    replaceBiggest([enough.at(-1) ?? slots[0]!]);
  }
  if (current > maxBytes) {
    const marker = { $truncated: true, originalBytes: original };
    return { snapshot: marker, json: JSON.stringify(marker), truncated: true, sizeBytes: original };
  }
  return { snapshot: copy, json: JSON.stringify(copy), truncated: true, sizeBytes: current };
}
