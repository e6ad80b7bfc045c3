import { parseExpression } from '@/model/designer/parse-expression';
import { templateExpressions } from '@/model/designer/expression-reads';

/** A problem at a range of an editor's text (0-based offsets), as the code editor underlines it. */
export type TCodeDiagnostic = { from: number; to: number; message: string };

/** The token that broke a JSONata source, as a range: jsonata reports where it stopped. */
export function jsonataDiagnostics(source: string): TCodeDiagnostic[] {
  if (source.trim() === '') return [];
  const problem = parseExpression(source);
  if (!problem) return [];
  const from = Math.min(problem.index, source.length);
  return [{ from, to: Math.min(from + 1, source.length), message: problem.message }];
}

/** Each `{{ }}` of a template is JSONata; an unclosed `{{` is a problem of its own. */
export function templateDiagnostics(template: string): TCodeDiagnostic[] {
  const parts = templateExpressions(template);
  const found: TCodeDiagnostic[] = parts.flatMap((part) =>
    part.source.trim() === ''
      ? [{ from: part.offset - 2, to: part.offset + part.source.length + 2, message: 'An empty {{ }}' }]
      : jsonataDiagnostics(part.source).map((diagnostic) => ({
          from: part.offset + diagnostic.from,
          to: part.offset + diagnostic.to,
          message: diagnostic.message,
        })),
  );
  const last = parts.at(-1);
  const scanned = last ? last.offset + last.source.length + 2 : 0;
  const open = template.indexOf('{{', scanned);
  if (open !== -1 && template[open - 1] !== '\\')
    found.push({ from: open, to: template.length, message: '"{{" is not closed with "}}"' });
  return found;
}

/**
 * A JSON text's first syntax error as a range. V8 says where ("… at position 12" or
 * "(line 2 column 5)"); without that the end of the text is marked.
 */
export function jsonDiagnostics(text: string): TCodeDiagnostic[] {
  if (text.trim() === '') return [];
  try {
    JSON.parse(text);
    return [];
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    let at = text.length;
    const position = /at position (\d+)/.exec(error.message);
    const lineColumn = /line (\d+) column (\d+)/.exec(error.message);
    if (position) at = Number(position[1]);
    else if (lineColumn) {
      const lines = text.split('\n');
      at = lines.slice(0, Number(lineColumn[1]) - 1).reduce((sum, line) => sum + line.length + 1, 0);
      at += Number(lineColumn[2]) - 1;
    }
    at = Math.min(at, text.length);
    return [
      {
        from: Math.max(0, Math.min(at, text.length - 1)),
        to: Math.max(at, Math.min(at + 1, text.length)),
        message: error.message,
      },
    ];
  }
}
