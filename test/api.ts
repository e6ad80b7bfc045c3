import * as workflowsRoute from '@/app/api/v1/workflows/route';
import * as versionsRoute from '@/app/api/v1/workflows/[key]/versions/route';
import * as publishRoute from '@/app/api/v1/workflows/[key]/versions/[n]/publish/route';
import { callRoute, type TRouteAnswer } from '@/test/route-call';

export { callRoute };
export type TResponse = TRouteAnswer;

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
