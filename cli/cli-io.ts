/** What a command may touch of the outside world: given to it, so tests run the CLI in-process. */
export type TCliIo = {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** All of standard input, as text (a token piped to `login`, a run's input as `--input -`). */
  readStdin: () => Promise<string>;
  /** Another fetch for the client (tests); the global one otherwise. */
  fetch?: typeof fetch;
};

/** The process's own streams and environment. */
export function processIo(): TCliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
