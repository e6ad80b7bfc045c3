import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliUsageError } from './exit-codes';

export type TCliConfig = { url: string; token: string };

/** `$XDG_CONFIG_HOME/pipewright/config.json`, else `~/.config/…` (`%APPDATA%\pipewright` on Windows). */
export function configFile(env: Record<string, string | undefined>): string {
  const base =
    env.XDG_CONFIG_HOME ||
    (process.platform === 'win32' && env.APPDATA) ||
    path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'pipewright', 'config.json');
}

export async function readConfig(env: Record<string, string | undefined>): Promise<TCliConfig | null> {
  const file = configFile(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliUsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: Partial<TCliConfig>;
  try {
    parsed = JSON.parse(text) as Partial<TCliConfig>;
  } catch (error) {
    throw new CliUsageError(`${file} is not JSON (${(error as Error).message}); run "pipewright login" again.`);
  }
  if (typeof parsed.url !== 'string' || typeof parsed.token !== 'string') {
    throw new CliUsageError(`${file} has no url and token; run "pipewright login" again.`);
  }
  return { url: parsed.url, token: parsed.token };
}

/** Stores the URL and token readable by the user alone (0600, in a 0700 folder), whatever the umask. */
export async function writeConfig(env: Record<string, string | undefined>, config: TCliConfig): Promise<string> {
  const file = configFile(env);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Created with the mode (no moment readable by others); chmod for a file that existed before.
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

export async function removeConfig(env: Record<string, string | undefined>): Promise<boolean> {
  const file = configFile(env);
  const existed = await stat(file).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  await rm(file, { force: true });
  return existed;
}
