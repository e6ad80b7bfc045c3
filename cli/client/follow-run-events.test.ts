import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipewrightApiError, PipewrightClient } from './index';

// The reconnecting part of followRunEvents, against an HTTP server on loopback that closes the
// stream early the way a restarted web server or a proxy would. The normal path (the app's own
// SSE stream) is covered end to end by e2e/cli.spec.ts.
const RUN = '0b6c4d7e-1111-4222-8333-444455556666';
const event = (seq: number, type: string) => ({ seq, type, at: '2026-12-06T12:00:00.000Z', data: {} });
let status = 'RUNNING';
let streams = 0;
const requests: string[] = [];
let server: http.Server;
let url = '';

beforeAll(async () => {
  server = http.createServer((request, response) => {
    requests.push(`${request.headers.accept} ${request.url}`);
    const json = (code: number, body: unknown) =>
      response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.headers.authorization !== 'Bearer pw_test')
      return json(401, { error: { code: 'UNAUTHENTICATED', message: 'no' } });
    if (request.url?.startsWith(`/api/v1/runs/${RUN}/events`) && request.headers.accept === 'text/event-stream') {
      streams += 1;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (e: ReturnType<typeof event>) =>
        response.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      if (streams === 1) send(event(1, 'run.queued'));
      else {
        send(event(2, 'run.started'));
        send(event(3, 'run.succeeded'));
        status = 'SUCCEEDED';
      }
      return response.end(); // closed, whether or not the run has ended
    }
    if (request.url?.startsWith(`/api/v1/runs/${RUN}/events`))
      return json(200, { items: [], nextAfter: 3, runStatus: status });
    if (request.url === `/api/v1/runs/${RUN}`) {
      return json(200, { id: RUN, workflowKey: 'k', version: 1, status, output: null, error: null });
    }
    return json(404, { error: { code: 'NOT_FOUND', message: `No route ${request.url}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('followRunEvents', () => {
  it('opens the stream again after the last event seen when it closes before the run ends', async () => {
    const client = new PipewrightClient({ url, token: 'pw_test' });
    const seen: number[] = [];
    for await (const e of client.followRunEvents(RUN)) seen.push(e.seq);
    expect(seen).toEqual([1, 2, 3]);
    const streamed = requests.filter((r) => r.startsWith('text/event-stream')).map((r) => r.split('?')[1]);
    expect(streamed).toEqual(['after=0', 'after=1']);
  });

  it('raises the server error body as PipewrightApiError', async () => {
    const client = new PipewrightClient({ url, token: 'pw_wrong' });
    const error = await client.getRun(RUN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipewrightApiError);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
