import type { TCliIo } from './cli-io';
import type { TSourceDocument } from './documents/read-document';

export type TProblem = { stepId?: string | null; path: string; message: string; severity?: string };

/** One problem as a compiler would say it: `file:line:col: error: path (step "id"): message`. */
export function problemLine(
  source: Pick<TSourceDocument, 'file' | 'locate'>,
  problem: TProblem,
  relativeTo: string,
): string {
  const at = source.locate(problem.path);
  const where = [relativeFile(source.file, relativeTo), ...(at ? [at.line, at.column] : [])].join(':');
  const step = problem.stepId ? ` (step "${problem.stepId}")` : '';
  const subject = problem.path ? `${problem.path}${step}: ` : step ? `${step.trim()}: ` : '';
  return `${where}: ${problem.severity ?? 'error'}: ${subject}${problem.message}`;
}

export function relativeFile(file: string, cwd: string): string {
  return file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : file;
}

/** The problems an API error carries in `details` (`[{stepId?, path, message}]`), if any. */
export function problemsOf(details: unknown): TProblem[] {
  if (!Array.isArray(details)) return [];
  return details.filter(
    (d): d is TProblem =>
      typeof d === 'object' &&
      d !== null &&
      typeof (d as TProblem).path === 'string' &&
      typeof (d as TProblem).message === 'string',
  );
}

/** Prints a value for `--json` (one object per line, so several can be streamed). */
export function printJson(io: TCliIo, value: unknown): void {
  io.out(`${JSON.stringify(value)}\n`);
}

/** Short text of a JSON value for a one-line summary. */
export function brief(value: unknown, max = 80): string {
  const text = value === undefined ? '(none)' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
