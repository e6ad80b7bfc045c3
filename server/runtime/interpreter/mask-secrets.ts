export const SECRET_MASK = '••••••';

/**
 * Replaces every occurrence of a secret value inside strings of `value`, so a secret echoed
 * back by an action (a response that repeats its Authorization header, an error message
 * quoting the request) never reaches a step record, a snapshot, an event or a log.
 */
export function maskSecrets(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (secrets.size === 0) return value;
  const mask = (text: string): string => {
    let out = text;
    for (const secret of secrets) if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(SECRET_MASK);
    return out;
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return mask(node);
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([key, item]) => [mask(key), walk(item)]));
    return node;
  };
  return walk(value);
}
