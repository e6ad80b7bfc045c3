import 'server-only';
import type { Tx } from '@/server/db/database';

/** A completed action invocation read from the ledger, keyed by `action@version\nkey`. */
export type TLedger = Map<string, unknown>;

/** The key of one ledger entry in a TLedger: one per (action, version, idempotency key). */
export const ledgerKey = (action: string, version: number, key: string): string => `${action}@${version}\n${key}`;

export type TLedgerEntry = {
  tenantId: string;
  action: string;
  version: number;
  idempotencyKey: string;
  runId: string;
  stepPath: string;
  output: unknown;
};

/**
 * Records a completed invocation in the caller's transaction, for handlers whose effect is a
 * write of our own (an event delivered, a message kept or confirmed): the effect and its ledger
 * row commit together, so the effect happens once per key. Returns false when the key already
 * had an entry (the effect was recorded before; the caller decides whether that rolls back).
 * Steps' other ledger rows ride in the run's fenced commit (commitBatch).
 */
export async function recordLedgerEntry(tx: Tx, entry: TLedgerEntry): Promise<boolean> {
  const inserted = await tx
    .insertInto('action_invocations')
    .values({
      tenant_id: entry.tenantId,
      action: entry.action,
      version: entry.version,
      idempotency_key: entry.idempotencyKey,
      run_id: entry.runId,
      step_path: entry.stepPath,
      output: JSON.stringify(entry.output ?? null),
    })
    .onConflict((oc) => oc.doNothing())
    .returning('idempotency_key')
    .executeTakeFirst();
  return inserted !== undefined;
}
