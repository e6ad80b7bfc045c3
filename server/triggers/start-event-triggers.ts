import 'server-only';
import type { TActor } from '@/server/auth/context';
import type { Tx } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { evaluateExpression } from '@/server/runtime/expressions/evaluate-expression';
import { ZEventTriggerConfig } from '@/model/definition/trigger-config';
import { recordTriggerFiring } from '@/server/triggers/record-trigger-firing';
import { startTriggeredRun } from '@/server/triggers/start-triggered-run';
import { selectTriggerRows } from '@/server/triggers/trigger-record';

export type TStoredEvent = {
  id: string;
  event: string;
  correlationKey: string | null;
  payload: unknown;
  receivedAt: Date;
};

/**
 * What a trigger's `filter` and `input` expressions read: the event's payload as `payload`, and
 * its name, correlation key, id and arrival time under `meta` (`meta.event`, `meta.correlationKey`,
 * `meta.eventId`, `meta.receivedAt`). Evaluated with the runtime's bounded evaluator.
 */
export function eventEnvelope(event: TStoredEvent) {
  return {
    payload: event.payload ?? null,
    vars: {},
    env: {},
    meta: {
      event: event.event,
      correlationKey: event.correlationKey,
      eventId: event.id,
      receivedAt: event.receivedAt.toISOString(),
    },
    error: null,
  };
}

/**
 * Starts a run for every enabled event trigger of the tenant listening for this event whose
 * `filter` (JSONata, JavaScript truthiness; no filter = every event) holds, with `input`
 * (JSONata) as the run input, else the event's payload. Runs are created in the caller's
 * transaction, together with the stored event that lists them. A trigger whose expression
 * fails or whose input does not fit the parameter schema starts nothing; that is kept as its
 * firing, and the other triggers still fire.
 */
export async function startEventTriggers({
  tx,
  tenantId,
  event,
  actor,
}: {
  tx: Tx;
  tenantId: string;
  event: TStoredEvent;
  actor: TActor;
}): Promise<string[]> {
  const triggers = await selectTriggerRows(tx, tenantId)
    .where('t.type', '=', 'event')
    .where('t.event', '=', event.event)
    .where('t.enabled', '=', true)
    .orderBy('t.created_at')
    .orderBy('t.id')
    .execute();
  const started: string[] = [];
  const envelope = eventEnvelope(event);
  for (const trigger of triggers) {
    const config = ZEventTriggerConfig.parse(trigger.config);
    let input: unknown;
    try {
      if (config.filter !== undefined && !(await evaluateExpression({ source: config.filter, envelope }))) continue;
      input =
        config.input === undefined
          ? (event.payload ?? {})
          : await evaluateExpression({ source: config.input, envelope });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await recordTriggerFiring({
        db: tx,
        tenantId,
        triggerId: trigger.id,
        outcome: 'failed',
        message: `${error.code}: ${error.message}`,
        eventId: event.id,
      });
      continue;
    }
    const result = await startTriggeredRun({ tx, trigger, input: input ?? {}, actor, eventId: event.id });
    if ('runId' in result) started.push(result.runId);
  }
  return started;
}
