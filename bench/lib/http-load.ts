import http from 'node:http';
import { figureRow, percentiles, type TStats } from '@/bench/lib/stats';

/**
 * A small HTTP client for load figures: node:http over keep-alive sockets, one per request in
 * flight. fetch costs the load generator several times more CPU per request, and on a shared
 * two-core machine that CPU is taken from the server being measured.
 */
export class BenchClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly token: string,
    private readonly maxSockets = 64,
  ) {
    this.base = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /**
   * Sends one request; resolves with the status and the parsed JSON body (null when empty). A
   * kept-alive socket the server closed while idle (Node's 5 s keepAliveTimeout, e.g. during
   * pgbench) fails the request that reuses it: that request is sent again, as Node's
   * documentation advises.
   */
  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown; text: string }> {
    // After a long pause every idle socket in the pool may have been closed: each retry takes the
    // next one, so allow as many retries as the pool holds sockets (then a new one is opened).
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.send(method, path, body, headers);
      } catch (error) {
        const closedWhileIdle =
          (error as { reusedSocket?: boolean }).reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET';
        if (!closedWhileIdle || attempt >= this.maxSockets) throw error;
      }
    }
  }

  private send(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: unknown; text: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = null;
            if (text && (res.headers['content-type'] ?? '').includes('json')) parsed = JSON.parse(text) as unknown;
            resolve({ status: res.statusCode ?? 0, body: parsed, text });
          });
          res.on('error', reject);
        },
      );
      req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export type TLoadResult = { perSecond: number; latency: TStats; errors: number; firstError: string | null };

/**
 * Sends `n` requests with `concurrency` in flight (each slot sends its next one as soon as its
 * last one answered) and reports the rate over the whole batch and each request's latency.
 */
export async function loadTest({
  n,
  concurrency,
  send,
  ok,
}: {
  n: number;
  concurrency: number;
  send: (i: number) => Promise<{ status: number; text: string }>;
  ok: (status: number) => boolean;
}): Promise<TLoadResult> {
  const samples: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | null = null;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const start = performance.now();
        const res = await send(i);
        samples.push(performance.now() - start);
        if (!ok(res.status)) {
          errors++;
          firstError ??= `${res.status} ${res.text.slice(0, 200)}`;
        }
      }
    }),
  );
  const elapsed = performance.now() - t0;
  return { perSecond: (n / elapsed) * 1000, latency: percentiles(samples), errors, firstError };
}

/** Creates, saves and publishes a workflow through the API, as a script would. */
export async function publishOverHttp(
  client: BenchClient,
  key: string,
  document: Record<string, unknown>,
): Promise<void> {
  const created = await client.request('POST', '/api/v1/workflows', { key, name: key });
  if (created.status !== 201) throw new Error(`create ${key}: ${created.status} ${created.text}`);
  const saved = await client.request('POST', `/api/v1/workflows/${key}/versions`, { key, name: key, ...document });
  if (saved.status >= 300) throw new Error(`save ${key}: ${saved.status} ${saved.text}`);
  const published = await client.request('POST', `/api/v1/workflows/${key}/versions/1/publish`);
  if (published.status !== 200) throw new Error(`publish ${key}: ${published.status} ${published.text}`);
}

/** One table line for a load result: rate, latency percentiles and any errors. */
export function loadRow(name: string, result: TLoadResult, target = ''): string {
  const errors = result.errors > 0 ? `  (${result.errors} errors, first: ${result.firstError})` : '';
  return `${figureRow(name, `${result.perSecond.toFixed(0)} req/s`, target)}   p50=${result.latency.p50.toFixed(1)} ms p99=${result.latency.p99.toFixed(1)} ms${errors}`;
}

/** A load result as the bench's JSON records it. */
export const loadJson = (r: TLoadResult) => ({
  perSecond: Math.round(r.perSecond),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  errors: r.errors,
});
