/** A problem's path as the API reports it (`steps[2].config.input.url`) as keys and indexes. */
export function parseDocumentPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  // The API's own prefixes for where a value came from are not part of the document.
  const inDocument = path.replace(/^(body|input|document)(\.|(?=\[)|$)/, '');
  for (const match of inDocument.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) out.push(Number(match[2]));
    else out.push(match[1]!);
  }
  return out;
}

/** The reverse: `['steps', 2, 'config']` → `steps[2].config`. */
export function formatDocumentPath(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    '',
  );
}
