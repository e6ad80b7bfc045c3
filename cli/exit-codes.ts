/** The CLI's exit codes, for scripts: 0 ok, 1 the work said no, 2 the command could not be carried out. */
export const EXIT = {
  ok: 0,
  /** A run failed or was canceled, the server refused a document (validation), or `diff` found changes. */
  refused: 1,
  /** Usage (a bad option, a missing file or setting) or the connection (unreachable, 401, 403, 404, 5xx). */
  usage: 2,
} as const;
export type TExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in how the CLI was called or set up: exit code 2 with this message. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
