import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The outside world of a chaos run: an HTTP service on 127.0.0.1 whose behaviour is chosen by
 * the request path, so a generated workflow says what it gets:
 *   /ok/<tag>                 200 at once
 *   /slow/<ms>/<tag>          200 after <ms>
 *   /flaky/<n>/<tag>          503 with Retry-After: 1 for the first <n> deliveries of a key, then 200
 *   /limited/<n>/<tag>        429 with Retry-After: 1 likewise
 *   /fail-first/<n>/<tag>     400 (not retryable) for the first <n> deliveries of a key, then 200:
 *                             the run fails, and an operator's retry then gets through
 *   /huge-retry-after/<tag>   503 with a Retry-After of ~31 years once, then 200
 * Every delivery is recorded with its Idempotency-Key, status, and whether the response
 * reached the caller's socket (a worker killed mid-call never gets it).
 */
export type TChaosDelivery = {
  key: string;
  path: string;
  at: number;
  status: number | null;
  respondedAt: number | null;
  /** The response was written out completely (false when the caller went away first). */
  delivered: boolean;
};

export type TChaosReceiver = {
  url: string;
  deliveries: TChaosDelivery[];
  close: () => Promise<void>;
};

const MAX_DELIVERIES = 200_000;

function answerFor(path: string, n: number): { status: number; holdMs: number; headers: Record<string, string> } {
  const [, kind = '', arg = ''] = path.split('/');
  const count = Number(arg) || 0;
  switch (kind) {
    case 'slow':
      return { status: 200, holdMs: Math.min(count, 30_000), headers: {} };
    case 'flaky':
      return n <= count
        ? { status: 503, holdMs: 0, headers: { 'retry-after': '1' } }
        : { status: 200, holdMs: 0, headers: {} };
    case 'limited':
      return n <= count
        ? { status: 429, holdMs: 0, headers: { 'retry-after': '1' } }
        : { status: 200, holdMs: 0, headers: {} };
    case 'fail-first':
      return n <= count ? { status: 400, holdMs: 0, headers: {} } : { status: 200, holdMs: 0, headers: {} };
    case 'huge-retry-after':
      return n <= 1
        ? { status: 503, holdMs: 0, headers: { 'retry-after': '999999999' } }
        : { status: 200, holdMs: 0, headers: {} };
    default:
      return { status: 200, holdMs: 0, headers: {} };
  }
}

/** Starts the receiver on a free loopback port. */
export async function startChaosReceiver(): Promise<TChaosReceiver> {
  const deliveries: TChaosDelivery[] = [];
  const perKey = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((request, response) => {
    const key = String(request.headers['idempotency-key'] ?? '');
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const delivery: TChaosDelivery = { key, path, at: Date.now(), status: null, respondedAt: null, delivered: false };
    if (deliveries.length < MAX_DELIVERIES) deliveries.push(delivery);
    const n = (perKey.get(`${path}\n${key}`) ?? 0) + 1;
    perKey.set(`${path}\n${key}`, n);
    const { status, holdMs, headers } = answerFor(path, n);
    // The caller may be SIGKILLed while we hold its request: the write then fails, harmlessly.
    response.on('error', () => undefined);
    // 'finish' means the whole answer went out to the socket; a caller that died first never gets it.
    response.on('finish', () => {
      delivery.delivered = true;
    });
    request.resume();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (request.socket.destroyed) return;
      delivery.status = status;
      delivery.respondedAt = Date.now();
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify({ key, delivery: n }));
    }, holdMs);
    timers.add(timer);
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
