// Loaded with NODE_OPTIONS=--import into every process of a bench app (bench/lib/app-process.ts):
// in the one serving HTTP (next start) it measures each request marked `x-bench-server-time`
// from the request event to the response's last byte handed to the socket ('finish'), and
// appends {url, status, ms} as a JSON line to BENCH_SERVER_TIMING_FILE. That is the server time
// of a page too: a streamed page sends its headers before it has rendered, so a Server-Timing
// header could only say when the headers left. Unmarked requests cost one header lookup.
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import process from 'node:process';

const file = process.env.BENCH_SERVER_TIMING_FILE;
if (file) {
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function emitTimed(event, request, response) {
    if (event === 'request' && request.headers['x-bench-server-time']) {
      const started = process.hrtime.bigint();
      response.once('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        appendFileSync(file, `${JSON.stringify({ url: request.url, status: response.statusCode, ms })}\n`);
      });
    }
    return emit.apply(this, arguments);
  };
}
