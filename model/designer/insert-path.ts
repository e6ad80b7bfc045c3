/** The name being typed right before the caret: `vars.su` in `$count(vars.su`. */
export function partialPathAt(source: string, caret: number): string {
  return /[A-Za-z0-9_$.`]*$/.exec(source.slice(0, caret))?.[0] ?? '';
}

/**
 * Inserts a picked path at the caret (over a selection). When the caret follows the start of
 * that same path (`vars.` or `vars.sum` before picking `vars.summary`), the typed part is
 * completed instead of repeated.
 *
 * @example insertPickedPath('vars.', 5, 5, 'vars.summary') // { source: 'vars.summary', caret: 12 }
 */
export function insertPickedPath(
  source: string,
  start: number,
  end: number,
  path: string,
): { source: string; caret: number } {
  const partial = start === end ? partialPathAt(source, start) : '';
  const from = partial !== '' && path.startsWith(partial) ? start - partial.length : start;
  return { source: source.slice(0, from) + path + source.slice(end), caret: from + path.length };
}
