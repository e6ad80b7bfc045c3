import 'server-only';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { TResolvedAddress } from '@/server/security/egress-guard';

/**
 * How long an idle pooled connection is kept. Below the 5 s keep-alive of Node's own servers
 * and of most proxies, so we close first and seldom write into a socket the server is closing.
 */
export const POOLED_SOCKET_IDLE_MS = 2_000;
/** Connections per tenant and target address (a sequential run needs one). */
const MAX_SOCKETS_PER_TARGET = 16;
/** Tenants whose pools are kept; the least recently used one is closed past this. */
const MAX_TENANT_POOLS = 256;

/** The request option that names the addresses the guard allowed for this request (see `getName`). */
export const CHECKED_ADDRESSES_OPTION = 'pipewrightCheckedAddresses';

type TAgentOptions = http.AgentOptions & { [CHECKED_ADDRESSES_OPTION]?: string };

/**
 * Node pools a keep-alive agent's sockets by `getName(options)` (host, port, TLS options…).
 * The name here also holds the addresses the egress guard allowed for this very request, so a
 * free socket is handed only to a request whose check, made just now, allowed the same
 * addresses that socket was connected to. A DNS answer that changed, or an allow list that no
 * longer opens the address, gives another name (or no request at all), never the old socket.
 */
function checkedName(base: string, options: TAgentOptions): string {
  const checked = options[CHECKED_ADDRESSES_OPTION];
  if (checked === undefined) throw new Error('a pooled egress request must name the addresses its check allowed');
  return `${base}|${checked}`;
}

class CheckedHttpAgent extends http.Agent {
  override getName(options?: TAgentOptions): string {
    return checkedName(super.getName(options), options ?? {});
  }
}

class CheckedHttpsAgent extends https.Agent {
  override getName(options?: TAgentOptions): string {
    return checkedName(super.getName(options as https.RequestOptions), options ?? {});
  }
}

/** One tenant's keep-alive agents: a connection never carries two tenants' requests. */
export type TEgressConnectionPool = { http: http.Agent; https: https.Agent };

const pools = new Map<string, TEgressConnectionPool>();

function createPool(): TEgressConnectionPool {
  const options = { keepAlive: true, maxSockets: MAX_SOCKETS_PER_TARGET, timeout: POOLED_SOCKET_IDLE_MS };
  return { http: new CheckedHttpAgent(options), https: new CheckedHttpsAgent(options) };
}

/**
 * The keep-alive pool of `tenantId`'s outbound calls. Per tenant, although no call of ours
 * binds credentials to a connection today (auth travels in headers, we send no client
 * certificates): a connection-bound login (NTLM, Negotiate, a client certificate later) must
 * never serve another tenant's request, and separate pools cost only idle sockets.
 */
export function egressConnectionPoolFor(tenantId: string): TEgressConnectionPool {
  const found = pools.get(tenantId);
  if (found) {
    // Map order is insertion order: moved to the end, it is the most recently used.
    pools.delete(tenantId);
    pools.set(tenantId, found);
    return found;
  }
  const pool = createPool();
  pools.set(tenantId, pool);
  if (pools.size > MAX_TENANT_POOLS) {
    const [oldest, evicted] = pools.entries().next().value as [string, TEgressConnectionPool];
    pools.delete(oldest);
    evicted.http.destroy();
    evicted.https.destroy();
  }
  return pool;
}

/**
 * The pool an outbound call of `tenantId` goes through: the tenant's keep-alive pool, or none
 * (a new connection per call, as before the pool) when `PIPEWRIGHT_EGRESS_KEEPALIVE=off`. Read
 * at every call, so an operator's change applies to the next one without a restart.
 */
export function egressPoolFromEnv(tenantId: string): TEgressConnectionPool | undefined {
  return process.env.PIPEWRIGHT_EGRESS_KEEPALIVE === 'off' ? undefined : egressConnectionPoolFor(tenantId);
}

/** Closes every pooled connection (tests, shutdown). */
export function closeEgressConnectionPools(): void {
  for (const pool of pools.values()) {
    pool.http.destroy();
    pool.https.destroy();
  }
  pools.clear();
}

/**
 * A socket `lookup` answering only the addresses already checked for this request, so a new
 * connection goes exactly where the check allowed: no second DNS answer between check and connect.
 */
export function checkedAddressesLookup(addresses: TResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const wanted = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
    const first = wanted[0];
    if (options.all) callback(null, wanted);
    else if (first) callback(null, first.address, first.family);
    else {
      const error: NodeJS.ErrnoException = new Error(`${hostname} has no IPv${family} address`);
      error.code = 'ENOTFOUND';
      callback(error, '', 0);
    }
  };
}
