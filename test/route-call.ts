/** A route handler as app/api/v1/**\/route.ts exports it. */
export type TRouteHandler = (
  request: Request,
  context: { params: Promise<Record<string, string>> },
) => Promise<Response>;
export type TRouteCall = {
  method?: string;
  path: string;
  token?: string;
  body?: unknown;
  params?: Record<string, string>;
  headers?: Record<string, string>;
};
export type TRouteAnswer = { status: number; json: Record<string, unknown> | null; headers: Headers };

/**
 * Calls a route handler the way Next.js would, with a Bearer token or, without one, as a
 * cross-site request (so no session cookie is consulted).
 */
export async function callRoute(
  handler: TRouteHandler,
  { method = 'GET', path, token, body, params = {}, headers = {} }: TRouteCall,
): Promise<TRouteAnswer> {
  const sent: Record<string, string> = { ...headers };
  if (token !== undefined) sent.authorization = `Bearer ${token}`;
  else sent['sec-fetch-site'] = 'cross-site';
  if (body !== undefined) sent['content-type'] = 'application/json';
  const request = new Request(`http://localhost/api/v1${path}`, {
    method,
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response = await handler(request, { params: Promise.resolve(params) });
  const text = await response.text();
  return {
    status: response.status,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    headers: response.headers,
  };
}

/** The SPEC §6 error code of an answer, if it is an error. */
export const errorCode = (json: Record<string, unknown> | null) => (json?.error as { code?: string } | undefined)?.code;
