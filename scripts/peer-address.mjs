// Preloaded into the web process (`node --import ./scripts/peer-address.mjs next start`).
//
// Next.js fills in X-Forwarded-For from the socket only when the client did not send one, so
// a route handler cannot tell the TCP peer from an address the client made up. Sign-in
// throttling needs the peer (server/security/client-address.ts), so every request that
// reaches this process gets it under a header of our own, written over anything the client
// sent under that name. Plain JavaScript importing only Node: it runs before anything else.
import http from 'node:http';

const PEER_ADDRESS_HEADER = 'x-pipewright-peer-address';
const emit = http.Server.prototype.emit;

http.Server.prototype.emit = function emitWithPeerAddress(event, request, ...rest) {
  if (event === 'request' && request?.headers)
    request.headers[PEER_ADDRESS_HEADER] = request.socket?.remoteAddress ?? '';
  return emit.call(this, event, request, ...rest);
};
