import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { PipewrightClient, TRun } from '../client';
import type { TCliIo } from '../cli-io';
import { formatOf } from '../documents/read-document';
import { CliUsageError, EXIT, type TExitCode } from '../exit-codes';
import { printJson } from '../output';
import { eventLine } from './logs';

export type TRunOptions = { input?: string; wait?: boolean; version?: string; idempotencyKey?: string; json?: boolean };

/** A run's input from a JSON or YAML file, or `-` for JSON on standard input. */
async function readInput(io: TCliIo, file: string): Promise<unknown> {
  const fromStdin = file === '-';
  const full = path.resolve(io.cwd, file);
  let text: string;
  try {
    text = fromStdin ? await io.readStdin() : await readFile(full, 'utf8');
  } catch (error) {
    throw new CliUsageError(
      `--input ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const asYaml = !fromStdin && formatOf(full) === 'yaml';
  try {
    return asYaml ? parseYaml(text, { maxAliasCount: 100 }) : JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`--input ${file}: not valid ${asYaml ? 'YAML' : 'JSON'} (${(error as Error).message})`);
  }
}

function parseVersion(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const version = Number(value);
  if (!Number.isInteger(version) || version < 1)
    throw new CliUsageError(`--version is a published version number, not "${value}".`);
  return version;
}

/** Follows the run's events (to stderr, so stdout holds only the output) until it ends; returns the finished run. */
async function waitForRun(client: PipewrightClient, runId: string, io: TCliIo, quiet: boolean): Promise<TRun> {
  for await (const event of client.followRunEvents(runId)) if (!quiet) io.err(`${eventLine(event)}\n`);
  return client.getRun(runId);
}

/**
 * `pipewright run <key> [--input file] [--wait]`: starts a run of the latest published version.
 * With --wait it prints the output once the run ends, and exits 1 when it failed or was canceled.
 */
export async function runCommand(
  client: PipewrightClient,
  key: string,
  options: TRunOptions,
  io: TCliIo,
): Promise<TExitCode> {
  const input = options.input === undefined ? {} : await readInput(io, options.input);
  const started = await client.startRun(key, {
    input,
    version: parseVersion(options.version),
    idempotencyKey: options.idempotencyKey,
  });
  if (!options.wait) {
    if (options.json) printJson(io, { runId: started.runId, status: started.status });
    else io.out(`${started.runId} ${started.status}\n`);
    return EXIT.ok;
  }
  const run = await waitForRun(client, started.runId, io, options.json === true);
  const succeeded = run.status === 'SUCCEEDED';
  if (options.json)
    printJson(io, { runId: run.id, status: run.status, output: run.output ?? null, error: run.error ?? null });
  else if (succeeded) io.out(`${JSON.stringify(run.output ?? null, null, 2)}\n`);
  else io.err(`Run ${run.id} ${run.status}${run.error ? `: ${JSON.stringify(run.error)}` : ''}\n`);
  return succeeded ? EXIT.ok : EXIT.refused;
}
