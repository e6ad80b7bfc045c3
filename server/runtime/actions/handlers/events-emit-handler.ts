import 'server-only';
import { recordLedgerEntry } from '@/server/runtime/run-store/ledger';
import type { TAuthContext } from '@/server/auth/context';
import type { Tx } from '@/server/db/database';
import { deliverEvent } from '@/server/events/deliver-event';
import { toStorableJson } from '@/server/db/storable-json';
import { ZEventsEmitInput } from '@/server/runtime/actions/events-emit';
import type { TActionHandler, TActionInvocation } from '@/server/runtime/actions/handlers/action-handler';

type TEmitOutput = { resumed: string[]; started: string[] };

/** Thrown inside the delivery's transaction to roll it back: this key was already emitted. */
class AlreadyEmitted extends Error {}

async function readLedger(invocation: TActionInvocation, idempotencyKey: string): Promise<TEmitOutput | undefined> {
  const row = await invocation.db
    .selectFrom('action_invocations')
    .select('output')
    .where('tenant_id', '=', invocation.tenantId)
    .where('action', '=', 'events.emit')
    .where('version', '=', 1)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  return row ? (row.output as TEmitOutput) : undefined;
}

/** The run emits as the system, with the rights a run has: starting runs (SPEC §3 operator). */
async function runContext(invocation: TActionInvocation): Promise<TAuthContext> {
  const tenant = await invocation.db
    .selectFrom('tenants')
    .select(['slug', 'name'])
    .where('id', '=', invocation.tenantId)
    .executeTakeFirstOrThrow();
  return {
    tenantId: invocation.tenantId,
    tenantSlug: tenant.slug,
    tenantName: tenant.name,
    role: 'operator',
    actor: { type: 'system', name: `run ${invocation.runId}` },
  };
}

/**
 * events.emit@1 (SPEC §4.4): delivers the event as POST /events does (resumes matching waits,
 * starts event triggers) → `{resumed, started}`. The ledger row for the idempotency key is
 * written in the delivery's own transaction, so an emit is stored exactly once: a retry after
 * a crash finds the row (here or in the interpreter's ledger check) instead of emitting again.
 * The payload passes through the run's secret mask first: events are stored and shown.
 */
export const eventsEmitHandler: TActionHandler = async ({ input: raw, idempotencyKey, invocation }) => {
  const parsed = ZEventsEmitInput.safeParse(raw);
  if (!parsed.success) {
    return {
      error: {
        code: 'VALIDATION',
        message: `Invalid input for events.emit@1: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        retryable: false,
      },
    };
  }
  const stored = await readLedger(invocation, idempotencyKey);
  if (stored) return { output: stored };
  // The event, its key and payload are stored (text and jsonb): NUL or a lone surrogate made
  // by an expression would fail the delivery's transaction, so they become U+FFFD as in step records.
  const storable = toStorableJson(parsed.data, { root: 'input' });
  if (!storable.ok)
    return {
      error: { code: 'VALIDATION', message: `Invalid input for events.emit@1: ${storable.message}`, retryable: false },
    };
  const { event, correlationKey, payload } = storable.value as typeof parsed.data;
  const recordLedger = async (tx: Tx, record: TEmitOutput) => {
    const output: TEmitOutput = { resumed: record.resumed, started: record.started };
    const inserted = await recordLedgerEntry(tx, {
      tenantId: invocation.tenantId,
      action: 'events.emit',
      version: 1,
      idempotencyKey,
      runId: invocation.runId,
      stepPath: invocation.stepPath,
      output,
    });
    if (!inserted) throw new AlreadyEmitted();
  };
  try {
    const record = await deliverEvent({
      db: invocation.db,
      ctx: await runContext(invocation),
      input: {
        event,
        ...(correlationKey === undefined ? {} : { correlationKey }),
        payload: invocation.maskSecrets(payload ?? null),
      },
      alsoInTransaction: recordLedger,
    });
    return { output: { resumed: record.resumed, started: record.started } };
  } catch (error) {
    if (!(error instanceof AlreadyEmitted)) throw error;
    // Another attempt of this very step (a worker that lost its lease) emitted it meanwhile.
    return { output: (await readLedger(invocation, idempotencyKey)) ?? { resumed: [], started: [] } };
  }
};
