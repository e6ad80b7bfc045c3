import { PipewrightClient } from '../client';
import type { TCliIo } from '../cli-io';
import { removeConfig, writeConfig } from '../config-store';
import { USER_AGENT } from '../connect';
import { CliUsageError, EXIT, type TExitCode } from '../exit-codes';
import { printJson } from '../output';

/**
 * `pipewright login --url <url> [--token <token>]`: checks the token against the server, then
 * stores both in the user's config folder (0600). Without --token, it is read from standard
 * input, which keeps it out of the shell's history: `pipewright login --url … < token.txt`.
 */
export async function loginCommand(
  options: { url?: string; token?: string; json?: boolean },
  io: TCliIo,
): Promise<TExitCode> {
  const url = options.url ?? io.env.PIPEWRIGHT_URL;
  if (!url) throw new CliUsageError('Give the server: pipewright login --url https://pipewright.example.com');
  const token = (options.token || io.env.PIPEWRIGHT_TOKEN || (await io.readStdin())).trim();
  if (!token) throw new CliUsageError('Give an API token with --token, or on standard input.');
  if (!token.startsWith('pw_')) throw new CliUsageError('That is not a Pipewright API token (they start with "pw_").');
  const client = new PipewrightClient({ url, token, fetch: io.fetch, userAgent: USER_AGENT });
  const tenants = await client.listTenants();
  const current = tenants.items.find((tenant) => tenant.current);
  const server = client.base.replace(/\/api\/v1$/, '');
  const file = await writeConfig(io.env, { url: server, token });
  if (options.json)
    printJson(io, { url: server, tenant: current?.slug ?? null, role: current?.role ?? null, configFile: file });
  else
    io.out(
      `Logged in to ${server}${current ? ` as tenant ${current.slug} (${current.role})` : ''}; saved in ${file}\n`,
    );
  return EXIT.ok;
}

/** `pipewright logout`: forgets the stored URL and token. */
export async function logoutCommand(options: { json?: boolean }, io: TCliIo): Promise<TExitCode> {
  const removed = await removeConfig(io.env);
  if (options.json) printJson(io, { removed });
  else io.out(removed ? 'Logged out.\n' : 'Nothing stored; nothing to do.\n');
  return EXIT.ok;
}
