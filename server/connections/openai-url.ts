import 'server-only';

/**
 * An endpoint of an OpenAI-compatible API: `baseUrl` may be the server (`http://host:8000`) or
 * its API root ending in `/v1` (`https://api.openai.com/v1`), as SDKs spell it; both give
 * `…/v1/<path>`.
 */
export function openAiUrl(baseUrl: string, path: string): string {
  const root = baseUrl.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return /\/v1$/.test(root) ? `${root}/${path}` : `${root}/v1/${path}`;
}
