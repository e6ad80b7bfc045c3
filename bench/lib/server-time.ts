/**
 * Server time as the web process measured it (bench/lib/server-timing-preload.mjs): requests sent
 * with SERVER_TIME_HEADER are written to the app's serverTimingFile, one JSON line each.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

export const SERVER_TIME_HEADER = { 'x-bench-server-time': '1' } as const;

type TServerTime = { url: string; status: number; ms: number };

/**
 * The server times recorded since the last call, once `expected` of them are there (the web
 * process writes a line when the response's last byte left, which may be just after the client
 * has read it); the file is emptied for the next batch.
 */
export async function takeServerTimes(file: string, expected: number): Promise<TServerTime[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    if (lines.length >= expected || Date.now() > deadline) {
      writeFileSync(file, '');
      if (lines.length < expected)
        throw new Error(`bench: ${lines.length} server times recorded of ${expected} (${file})`);
      return lines.map((line) => JSON.parse(line) as TServerTime);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
