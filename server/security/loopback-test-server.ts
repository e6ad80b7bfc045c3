import 'server-only';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a test server saw it. */
export type TRecordedHit = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

export type TLoopbackServer = {
  /** `http://<host>:<port>` without a trailing slash. */
  origin: string;
  port: number;
  hits: TRecordedHit[];
  /** TCP connections accepted so far: a keep-alive client sends many hits over one. */
  readonly connections: number;
  close: () => Promise<void>;
};

type TRespond = (hit: TRecordedHit, response: http.ServerResponse) => void;

/**
 * A real HTTP server on a loopback address for tests (Linux routes all of 127/8 to lo, so
 * 127.0.0.2 is a second host that is still this machine). Records every request it gets, so
 * a test can prove that a refused target saw nothing at all.
 */
export function startLoopbackServer(host: string, respond: TRespond, port = 0): Promise<TLoopbackServer> {
  const hits: TRecordedHit[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const hit = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      hits.push(hit);
      respond(hit, response);
    });
  });
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: boundPort } = server.address() as AddressInfo;
      resolve({
        origin: `http://${host}:${boundPort}`,
        port: boundPort,
        hits,
        get connections() {
          return connections;
        },
        close: () =>
          new Promise((done) => {
            // Servers that never answer (timeout tests) still hold sockets open.
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Answers every request with `status` and a small text body. */
export function answer(status: number, body = 'ok', headers: http.OutgoingHttpHeaders = {}): TRespond {
  return (_hit, response) => {
    response.writeHead(status, { 'content-type': 'text/plain', ...headers });
    response.end(body);
  };
}
