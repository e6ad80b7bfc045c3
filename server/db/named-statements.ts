import 'server-only';
import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * The comment a statement starts with to be sent as a named (prepared) statement: PostgreSQL
 * parses and analyzes it once per connection and, after a few executions, keeps a generic plan,
 * instead of parsing and planning the whole text on every call. Meant for the hot statements
 * whose text takes a handful of shapes (the run store's fenced commit): one prepared statement
 * per distinct text and connection, so a text that varies with its data must not carry it.
 */
export const NAMED_STATEMENT_MARK = '/* pw:named */';

/** Past this many on one connection, further texts go unnamed (a backend keeps each one's plan). */
export const MAX_NAMED_STATEMENTS_PER_CONNECTION = 64;

type TNamedState = { generation: number; names: Set<string> };
type TQuery = (config: unknown, values?: unknown, callback?: unknown) => unknown;

const states = new WeakMap<pg.ClientBase, TNamedState>();

/**
 * What a prepared statement answers once the schema under it changed in a way it cannot follow
 * (0A000 "cached plan must not change result type"), or once it is gone (26000, e.g. after
 * DISCARD ALL by a pooler): preparing the same text again under a new name fixes both.
 */
export function isStalePreparedStatement(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '26000' || (code === '0A000' && /cached plan must not change result type/.test(String(error)));
}

/** Whether named statements are on: PIPEWRIGHT_PREPARED_STATEMENTS=off for a pooler that cannot keep them. */
export function namedStatementsEnabled(): boolean {
  const value = process.env.PIPEWRIGHT_PREPARED_STATEMENTS;
  return value !== 'off' && value !== '0' && value !== 'false';
}

/**
 * The hash of each marked text seen, kept: a handful of texts (the commit's shapes, the start,
 * the claim), each 2-6 KB, were hashed again on every execution (a worker's profile put it at
 * 5% of its own JavaScript on pure runs). Bounded in case a caller marks a text that varies.
 */
const digests = new Map<string, string>();
const MAX_DIGESTS = 256;

/** The hash that names a marked text's prepared statement (sha1, 20 hex digits), computed once per text. */
export function digestOf(text: string): string {
  let digest = digests.get(text);
  if (digest === undefined) {
    digest = createHash('sha1').update(text).digest('hex').slice(0, 20);
    if (digests.size >= MAX_DIGESTS) digests.clear();
    digests.set(text, digest);
  }
  return digest;
}

const nameOf = (generation: number, text: string): string => `pw${generation}_${digestOf(text)}`;

/**
 * Makes `client.query(text, values)` send a text that starts with NAMED_STATEMENT_MARK as a
 * named statement (node-postgres `{ name, text, values }`), so Kysely's driver, which knows only
 * unnamed ones, gets plan caching for the statements that ask for it. A statement sent outside a
 * transaction that finds its prepared form stale is prepared again and sent once more (it had no
 * effect); inside a transaction the error is the caller's, and the next call prepares anew.
 */
export function installNamedStatements(client: pg.ClientBase): void {
  if (states.has(client)) return;
  const state: TNamedState = { generation: 0, names: new Set() };
  states.set(client, state);
  const query = client.query.bind(client) as TQuery;
  const named = async (text: string, values: unknown): Promise<unknown> => {
    let name = nameOf(state.generation, text);
    if (!state.names.has(name)) {
      if (state.names.size >= MAX_NAMED_STATEMENTS_PER_CONNECTION) return query(text, values);
      state.names.add(name);
    }
    // 'I': no transaction open, so the statement is its own and sending it again is safe.
    const standalone = client.getTransactionStatus() === 'I';
    try {
      return await query({ name, text, values });
    } catch (error) {
      if (!isStalePreparedStatement(error)) throw error;
      // Every name of this connection may be stale (one migration can touch many tables): a new
      // generation prepares each text again. The old statements stay until the connection ends.
      state.generation++;
      state.names.clear();
      if (!standalone) throw error;
      name = nameOf(state.generation, text);
      state.names.add(name);
      return query({ name, text, values });
    }
  };
  (client as { query: TQuery }).query = (config, values, callback) => {
    if (
      typeof config === 'string' &&
      config.startsWith(NAMED_STATEMENT_MARK) &&
      callback === undefined &&
      typeof values !== 'function' &&
      namedStatementsEnabled()
    ) {
      return named(config, values);
    }
    return query(config, values, callback);
  };
}
