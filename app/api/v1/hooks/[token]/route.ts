import { apiRoute, errorResponse, jsonResponse } from '@/server/api/route';
import { receiveWebhookContract } from '@/server/api/contracts/triggers';
import { receiveWebhook, WebhookRefusal } from '@/server/triggers/receive-webhook';

export const dynamic = 'force-dynamic';

/** Authenticated by the token in the path and, when configured, the body's signature; never by a session. */
export const POST = apiRoute(receiveWebhookContract, async ({ db, params, request }) => {
  try {
    const { finished, ...answer } = await receiveWebhook({ db, token: params.token, request });
    return jsonResponse(answer, finished ? 200 : 202);
  } catch (error) {
    if (error instanceof WebhookRefusal && error.retryAfterSeconds !== undefined)
      return errorResponse(error, { 'retry-after': String(error.retryAfterSeconds) });
    throw error;
  }
});
