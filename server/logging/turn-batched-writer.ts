import 'server-only';

/**
 * Collects the lines written during one turn of the event loop and writes them as one text
 * when the turn ends (setImmediate), or at once on `flush()`. Under load the web process
 * writes a request line per API call; each was its own synchronous write(2) to a pipe or
 * terminal, ~6% of the web process's CPU per run start once the start itself got cheap
 * (issue #16). Lines keep their order.
 */
export function createTurnBatchedWriter(write: (text: string) => void): {
  writeLine: (line: string) => void;
  flush: () => void;
} {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    write(text);
  };
  return {
    writeLine: (line) => {
      if (pending.push(line) === 1) setImmediate(flush);
    },
    flush,
  };
}

const globalForStdout = globalThis as unknown as { pipewrightStdoutLines?: (line: string) => void };

/**
 * Standard output for log lines, one write per event-loop turn. Flushed synchronously when the
 * process exits (stdout on a pipe, file or terminal is synchronous on Linux), so `process.exit`
 * or a crash right after a line still prints it; only SIGKILL can lose the current turn's lines.
 */
export function stdoutLines(): (line: string) => void {
  if (!globalForStdout.pipewrightStdoutLines) {
    const writer = createTurnBatchedWriter((text) => process.stdout.write(text));
    process.on('exit', writer.flush);
    globalForStdout.pipewrightStdoutLines = writer.writeLine;
  }
  return globalForStdout.pipewrightStdoutLines;
}
