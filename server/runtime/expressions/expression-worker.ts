/**
 * Entry of an expression worker thread (started by ExpressionPool). Evaluates one request at
 * a time: jsonata's awaits are microtasks, so an evaluation never yields to the next message.
 * Imports stay relative so the file loads under plain tsx without the `@/` alias.
 */
import { parentPort } from 'node:worker_threads';
import { evaluateInThread } from './evaluate-in-thread';
import { ZWorkerRequest, type TWorkerMessage } from './expression-worker-protocol';

const port = parentPort;
if (!port) throw new Error('expression-worker.ts must run in a worker thread');

port.on('message', (raw: unknown) => {
  // A malformed request is a bug in the pool, not in an expression: let it crash this
  // worker so the pool sees an 'error' event and reports it.
  const request = ZWorkerRequest.parse(raw);
  evaluateInThread(request).then(
    (outcome) => port.postMessage({ type: 'result', id: request.id, outcome } satisfies TWorkerMessage),
    // evaluateInThread turns every evaluation error into an outcome; anything left is a bug.
    // Rethrow outside the promise so it is an uncaught exception: the worker exits and the
    // pool's 'error' handler fails the request with it.
    (error: unknown) => {
      setImmediate(() => {
        throw error;
      });
    },
  );
});

port.postMessage({ type: 'ready' } satisfies TWorkerMessage);
