import { stringify } from 'yaml';
import type { TDocumentFormat } from './read-document';

/**
 * A document as file text, the same bytes for the same document: JSON with two-space indent, or
 * YAML without line folding or anchors (a long expression stays on one line, a repeated object
 * is written out again); both end with a newline, so a git diff shows only what changed.
 */
export function documentText(document: Record<string, unknown>, format: TDocumentFormat): string {
  if (format === 'json') return `${JSON.stringify(document, null, 2)}\n`;
  return stringify(document, { lineWidth: 0, aliasDuplicateObjects: false, indentSeq: true });
}
