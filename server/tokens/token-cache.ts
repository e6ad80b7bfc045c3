import 'server-only';
import type pg from 'pg';
import type { TAuthContext } from '@/server/auth/context';
import { listenReconnectDelayMs, openListenClient } from '@/server/db/open-listen-client';

/** Channel the database notifies (triggers on api_tokens, memberships, tenants) when what a token grants may have changed. */
export const AUTH_CHANGED_CHANNEL = 'pipewright_auth_changed';

/** How long a verified token is taken on trust without asking the database again. */
export const TOKEN_CACHE_MS = 5_000;
const MAX_ENTRIES = 10_000;

type TEntry = { ctx: TAuthContext; expiresAt: Date | null; cachedAt: number };

/**
 * Verified API tokens of this process, by hash, for a few seconds: a script's every request
 * otherwise reads its token, tenant and owner's membership first. Revocation stays immediate:
 * - in this process, the functions that revoke or demote call `forgetCachedTokens()`;
 * - in every process, triggers NOTIFY AUTH_CHANGED_CHANNEL in the transaction that revokes a
 *   token, changes or removes a membership or changes a tenant, and the listener below empties
 *   the cache on the notice (delivered right after that commit).
 * Nothing is cached while the listener is not connected (a notice could be missed), and an
 * entry read before a change is not stored after it (`generation`).
 */
class TokenCache {
  private readonly entries = new Map<string, TEntry>();
  private generation = 0;
  private client: pg.Client | null = null;
  private connecting = false;
  private reconnectAttempts = 0;

  /** Whether entries are kept: only while the listener is connected. */
  get listening(): boolean {
    return this.client !== null;
  }

  /** The cached context for a token hash, when fresh and not expired. */
  get(hash: string): TAuthContext | null {
    if (!this.client) {
      this.listen();
      return null;
    }
    const entry = this.entries.get(hash);
    if (!entry) return null;
    if (Date.now() - entry.cachedAt > TOKEN_CACHE_MS || (entry.expiresAt && entry.expiresAt.getTime() <= Date.now())) {
      this.entries.delete(hash);
      return null;
    }
    return entry.ctx;
  }

  /** A marker to pass back to `set`: an entry read before a change is not stored after it. */
  mark(): number {
    return this.generation;
  }

  set(hash: string, ctx: TAuthContext, expiresAt: Date | null, mark: number): void {
    if (!this.client || mark !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(hash, { ctx, expiresAt, cachedAt: Date.now() });
  }

  forget(): void {
    this.generation++;
    this.entries.clear();
  }

  private listen(): void {
    const url = process.env.DATABASE_URL;
    if (this.connecting || !url) return;
    this.connecting = true;
    openListenClient({
      connectionString: url,
      channel: AUTH_CHANGED_CHANNEL,
      applicationName: 'pipewright-token-cache',
      onNotice: () => this.forget(),
      onLost: (client, error) => {
        if (this.client !== client) return;
        this.client = null;
        this.forget();
        console.error(`[token-cache] listener lost${error ? `: ${error.message}` : ''}; not caching until it is back`);
        client
          .end()
          .catch((endError: Error) => console.error(`[token-cache] closing the lost connection: ${endError.message}`));
      },
    }).then(
      (client) => {
        this.forget(); // whatever was read before LISTEN began may be stale
        this.client = client;
        this.connecting = false;
        this.reconnectAttempts = 0;
      },
      (error: Error) => {
        // Retried on a later request, not sooner than the backoff: requests go to the database meanwhile.
        const delay = listenReconnectDelayMs(this.reconnectAttempts++);
        console.error(`[token-cache] cannot listen (${error.message}); next try in ${delay / 1000} s`);
        setTimeout(() => (this.connecting = false), delay).unref();
      },
    );
  }
}

const globalForTokens = globalThis as unknown as { pipewrightTokenCache?: TokenCache };

export function tokenCache(): TokenCache {
  return (globalForTokens.pipewrightTokenCache ??= new TokenCache());
}

/** Forgets every cached token of this process; call after a commit that revokes or narrows one. */
export function forgetCachedTokens(): void {
  tokenCache().forget();
}
