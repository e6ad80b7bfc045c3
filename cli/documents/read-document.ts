import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { parseDocumentPath } from './document-path';
import { jsonErrorOffset } from './json-error-offset';

export const DOCUMENT_EXTENSIONS = ['.json', '.yaml', '.yml'] as const;
export type TDocumentFormat = 'json' | 'yaml';

export type TPosition = { line: number; column: number };

/** A version document read from a file, with a way back from a path in it to a line. */
export type TSourceDocument = {
  file: string;
  format: TDocumentFormat;
  value: Record<string, unknown>;
  /** Where `path` (as the API names it) is in the file: the deepest part of it that exists. */
  locate: (path: string) => TPosition | null;
};

/** The file could not be read as a version document; `position` says where when known. */
export class DocumentFileError extends Error {
  readonly file: string;
  readonly position: TPosition | null;

  constructor(file: string, message: string, position: TPosition | null = null) {
    super(message);
    this.name = 'DocumentFileError';
    this.file = file;
    this.position = position;
  }
}

export function formatOf(file: string): TDocumentFormat | null {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  return null;
}

function positionInText(text: string, offset: number): TPosition {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function locator(document: Document.Parsed, lines: LineCounter) {
  return (problemPath: string): TPosition | null => {
    let node: unknown = document.contents;
    let offset: number | null = (document.contents as { range?: [number] } | null)?.range?.[0] ?? null;
    const parts = parseDocumentPath(problemPath);
    for (let index = 0; index < parts.length; index += 1) {
      const part = parts[index]!;
      if (isMap(node)) {
        const map = node;
        const keyed = (name: string) =>
          map.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === name);
        let pair = keyed(String(part));
        // A key with dots in it (`assign: { vars.total: … }`) reaches the path as several parts.
        for (let end = index + 1; !pair && end < parts.length && typeof parts[end] === 'string'; end += 1) {
          pair = keyed(parts.slice(index, end + 1).join('.'));
          if (pair) index = end;
        }
        if (!pair) break;
        offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number' && node.items[part]) {
        node = node.items[part];
        offset = (node as { range?: [number] }).range?.[0] ?? offset;
      } else break;
    }
    if (offset === null) return null;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
}

/** Parses a version document from text: JSON (strictly) or YAML, keeping where each value was. */
export function parseSourceDocument(file: string, text: string): TSourceDocument {
  const format = formatOf(file);
  if (!format) throw new DocumentFileError(file, `not a .json, .yaml or .yml file`);
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  let value: unknown;
  if (format === 'json') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      const offset = jsonErrorOffset(text);
      const position = offset >= 0 ? positionInText(text, offset) : null;
      const reason = (error as Error).message
        .replace(/ in JSON at position \d+.*$/, '')
        .replace(/, ".*" is not valid JSON$/s, '');
      throw new DocumentFileError(file, `not valid JSON: ${reason}`, position);
    }
  } else {
    const first = document.errors[0];
    if (first) {
      const at = first.linePos?.[0];
      const message = `not valid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
      throw new DocumentFileError(file, message, at ? { line: at.line, column: at.col } : null);
    }
    value = document.toJS({ maxAliasCount: 100 });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DocumentFileError(file, 'a version document is an object (a mapping) with at least a "key"', {
      line: 1,
      column: 1,
    });
  }
  // JSON that YAML cannot read (a tab where YAML wants none) still works; it only loses lines.
  const locate = document.errors.length === 0 ? locator(document, lines) : () => null;
  return { file, format, value: value as Record<string, unknown>, locate };
}

export async function readSourceDocument(file: string): Promise<TSourceDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DocumentFileError(
      file,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return parseSourceDocument(file, text);
}
