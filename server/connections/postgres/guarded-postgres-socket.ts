import 'server-only';
import net from 'node:net';
import type { TEgressAllowList } from '@/server/security/egress-allowlist';
import { resolveAllowedAddresses, type TResolveHost } from '@/server/security/egress-guard';
import { egressBlocked } from '@/server/security/guarded-fetch-error';

/**
 * The socket pg connects through, under the egress guard: pg calls `connect(port, host)` on it
 * (or `connect(path)` for a Unix socket, which is refused); the host is resolved through
 * resolveAllowedAddresses and the socket connects to the very address that was checked, so
 * neither an IP literal nor a rebinding DNS answer reaches a blocked host. TLS (sslmode) is
 * layered on it by pg with the original host name as the server name.
 */
export function guardedPostgresSocket(allow: TEgressAllowList, resolveHost: TResolveHost): () => net.Socket {
  return () => {
    const socket = new net.Socket();
    const connect = socket.connect.bind(socket) as (port: number, host: string) => net.Socket;
    const guardedConnect = (port: unknown, host?: unknown): net.Socket => {
      if (typeof host !== 'string' || !Number.isInteger(Number(port))) {
        const error = egressBlocked('a Unix-domain socket is not a network destination', {
          host: String(port),
          reason: 'socket path',
        });
        process.nextTick(() => socket.destroy(error));
        return socket;
      }
      const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
      resolveAllowedAddresses(bare, allow, resolveHost).then(
        (addresses) => {
          const first = addresses[0];
          if (!first) socket.destroy(new Error(`${bare} has no address`));
          else connect(Number(port), first.address);
        },
        (error: Error) => socket.destroy(error),
      );
      return socket;
    };
    socket.connect = guardedConnect as typeof socket.connect;
    return socket;
  };
}
