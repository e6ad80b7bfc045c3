import * as workflowsRoute from '@/app/api/v1/workflows/route';
import * as versionsRoute from '@/app/api/v1/workflows/[key]/versions/route';
import * as publishRoute from '@/app/api/v1/workflows/[key]/versions/[n]/publish/route';

export type THandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type TCall = { method?: string; path: string; token?: string; body?: unknown; params?: Record<string, string> };
export type TResponse = { status: number; json: Record<string, unknown> | null };

/** Calls a route handler the way Next.js would, with a Bearer token (or none: a cross-site request). */
export async function callRoute(
  handler: THandler,
  { method = 'GET', path, token, body, params = {} }: TCall,
): Promise<TResponse> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  else headers['sec-fetch-site'] = 'cross-site';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const request = new Request(`http://localhost/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response = await handler(request, { params: Promise.resolve(params) });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** The error code of an error response. */
export const errorCode = (response: TResponse) => (response.json?.error as { code?: string } | undefined)?.code;

/** Creates (when new) a workflow, saves `document` as its draft and publishes it, all over the API. */
export async function publishOverApi(
  token: string,
  key: string,
  document: Record<string, unknown>,
): Promise<TResponse> {
  await callRoute(workflowsRoute.POST, { method: 'POST', path: '/workflows', token, body: { key, name: key } });
  const saved = await callRoute(versionsRoute.POST, {
    method: 'POST',
    path: `/workflows/${key}/versions`,
    token,
    body: { key, name: key, ...document },
    params: { key },
  });
  if (saved.status !== 200 && saved.status !== 201) return saved;
  const version = String(saved.json?.version);
  return callRoute(publishRoute.POST, {
    method: 'POST',
    path: `/workflows/${key}/versions/${version}/publish`,
    token,
    params: { key, n: version },
  });
}
