import 'server-only';
import type { TActionInvocation } from '@/server/runtime/actions/handlers/action-handler';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import { readConnection, secretValuesOf } from '@/server/connections/read-connection';
import { httpConnectionAuth, httpConnectionUrl } from '@/server/connections/http-connection-target';

function hasKey(record: Record<string, unknown>, name: string): boolean {
  return Object.keys(record).some((key) => key.toLowerCase() === name.toLowerCase());
}

/**
 * An http.request input naming a `connection`, turned into the plain request it stands for:
 * the URL resolved under the connection's baseUrl and its auth added (a header or query
 * parameter the step sets itself wins). The credential joins the run's mask before anything is
 * sent, so a service echoing it back never gets it into a step record, and guardedFetch keeps
 * it from following a redirect to another origin. Inputs without a connection pass unchanged.
 */
export async function applyHttpConnection({
  input,
  invocation,
}: {
  input: unknown;
  invocation: TActionInvocation;
}): Promise<{ input: unknown } | { error: TStepError }> {
  if (typeof input !== 'object' || input === null || !('connection' in input)) return { input };
  const { connection: name, ...request } = input as Record<string, unknown> & { connection: unknown };
  if (typeof name !== 'string') return { input };
  const found = await readConnection({ db: invocation.db, tenantId: invocation.tenantId, name, type: 'http' });
  if ('error' in found) return found;
  const { config } = found.connection;
  for (const value of secretValuesOf(found.connection)) invocation.addSecret(value);
  if (config.auth.type === 'basic')
    invocation.addSecret(Buffer.from(`${config.auth.username}:${config.auth.password}`).toString('base64'));
  const target = httpConnectionUrl(config.baseUrl, typeof request.url === 'string' ? request.url : '');
  if ('error' in target) return target;
  const auth = httpConnectionAuth(config);
  const headers = { ...((request.headers as Record<string, string> | undefined) ?? {}) };
  for (const [key, value] of Object.entries(auth.headers)) if (!hasKey(headers, key)) headers[key] = value;
  const url = new URL(target.url);
  for (const [key, value] of Object.entries(auth.query))
    if (!url.searchParams.has(key)) url.searchParams.set(key, value);
  return { input: { ...request, url: url.href, headers } };
}
