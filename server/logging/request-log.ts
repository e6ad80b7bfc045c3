import 'server-only';
import type { TContract } from '@/server/api/contract';
import { getLogger } from '@/server/logging/logger';

/** The tenant a request was authorized for, noted by apiRoute for its request log line. */
const tenants = new WeakMap<Request, string>();

export function noteRequestTenant(request: Request, tenantId: string): void {
  tenants.set(request, tenantId);
}

/**
 * Wraps a route handler so each request writes one log line: method, route (the contract's
 * path, not the URL, which may hold ids or a webhook token), status, duration and the tenant
 * once authorized. Never headers, query or body. The same duration goes to the client as
 * `Server-Timing: app;dur=<ms>` (the handler's time, without Next's routing or the network),
 * so a script can tell the server's share of a slow call; for a stream it is the time to its
 * first byte.
 */
export function withRequestLog<A extends unknown[]>(
  contract: Pick<TContract, 'method' | 'path' | 'operationId'>,
  route: (request: Request, ...rest: A) => Promise<Response>,
): (request: Request, ...rest: A) => Promise<Response> {
  return async (request, ...rest) => {
    const started = performance.now();
    const response = await route(request, ...rest);
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    response.headers.set('Server-Timing', `app;dur=${durationMs}`);
    const tenantId = tenants.get(request);
    getLogger().info(
      {
        method: contract.method,
        route: `/api/v1${contract.path}`,
        operation: contract.operationId,
        status: response.status,
        durationMs,
        ...(tenantId ? { tenantId } : {}),
      },
      'request',
    );
    return response;
  };
}
