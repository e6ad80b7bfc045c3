import { apiBase, PipewrightClient } from './client';
import type { TCliIo } from './cli-io';
import { readConfig } from './config-store';
import { CliUsageError } from './exit-codes';

export const USER_AGENT = 'pipewright-cli';

/**
 * The client for this call: PIPEWRIGHT_URL and PIPEWRIGHT_TOKEN, else what `login` stored. A
 * stored token is only sent to the URL it was stored for, never to another PIPEWRIGHT_URL.
 */
export async function connect(io: TCliIo): Promise<PipewrightClient> {
  const stored = await readConfig(io.env);
  const url = io.env.PIPEWRIGHT_URL || stored?.url;
  const sameServer =
    stored !== null && (!io.env.PIPEWRIGHT_URL || apiBase(io.env.PIPEWRIGHT_URL) === apiBase(stored.url));
  const token = io.env.PIPEWRIGHT_TOKEN || (sameServer ? stored.token : undefined);
  if (!url) throw new CliUsageError('No server: set PIPEWRIGHT_URL, or run "pipewright login --url <url>".');
  if (!token) throw new CliUsageError(`No API token for ${url}: set PIPEWRIGHT_TOKEN, or run "pipewright login".`);
  return new PipewrightClient({ url, token, fetch: io.fetch, userAgent: USER_AGENT });
}
