/** A completed action invocation read from the ledger, keyed by `action@version\nkey`. */
export type TLedger = Map<string, unknown>;

/** The key of one ledger entry in a TLedger: one per (action, version, idempotency key). */
export const ledgerKey = (action: string, version: number, key: string): string => `${action}@${version}\n${key}`;
