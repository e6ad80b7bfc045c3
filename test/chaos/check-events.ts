import type { Db } from '@/server/db/database';
import type { TDeliveredEvent } from '@/test/chaos/chaos-journal';
import type { TGeneratedWorkflow, TStep } from '@/test/chaos/generate-workflows';

type TAdd = (invariant: string, runId: string | null, message: string) => void;

/** A resolution by something else this close to the event counts as a race the event lost fairly. */
const RACE_MS = 1_000;
/** Events right at the edge of a lookback window are not held against it. */
const LOOKBACK_EDGE_MS = 1_000;

/**
 * lookbackMs of each generated event.wait, by workflow and event name: event names repeat
 * across workflows (`chaos.keyed.<step id>`), and one workflow's wait without lookback must
 * not be judged by another's window.
 */
const windowKey = (workflowKey: string, event: string) => `${workflowKey}\n${event}`;
function lookbacks(workflows: readonly TGeneratedWorkflow[]): Map<string, number> {
  const found = new Map<string, number>();
  let workflowKey = '';
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    const step = value as Partial<TStep>;
    if (
      step.type === 'event.wait' &&
      typeof step.config?.event === 'string' &&
      typeof step.config.lookbackMs === 'number'
    )
      found.set(windowKey(workflowKey, step.config.event), step.config.lookbackMs);
    Object.values(value).forEach(visit);
  };
  for (const workflow of workflows) {
    workflowKey = workflow.key;
    visit(workflow.document.steps);
  }
  return found;
}

const nonceOf = (payload: unknown) =>
  typeof payload === 'object' && payload !== null ? (payload as { nonce?: unknown }).nonce : undefined;

/**
 * (2) One answer per wait, for events: an event whose `resumed` lists a run resolved a wait of
 * that run with its payload; an event delivered while a matching wait existed (also one still
 * being created: the wait's row carries its transaction's start time) resumed it, unless
 * something else resolved it at about the same time; and a wait with `lookbackMs` created
 * after a matching event within the window took that event at once.
 */
export async function checkEvents({
  db,
  workflows,
  delivered,
  add,
}: {
  db: Db;
  workflows: readonly TGeneratedWorkflow[];
  delivered: readonly TDeliveredEvent[];
  add: TAdd;
}): Promise<void> {
  const doneAtByNonce = new Map(delivered.map((d) => [d.nonce, d.doneAt]));
  const events = await db
    .selectFrom('events')
    .select(['id', 'event', 'correlation_key', 'payload', 'received_at', 'resumed'])
    .execute();
  const waits = await db
    .selectFrom('run_waits')
    .innerJoin('runs', 'runs.id', 'run_waits.run_id')
    .select([
      'run_waits.id',
      'run_waits.run_id',
      'run_waits.event',
      'run_waits.correlation_key',
      'run_waits.status',
      'run_waits.payload',
      'run_waits.created_at',
      'run_waits.resolved_at',
      'run_waits.step_path',
      'runs.workflow_key',
    ])
    .where('run_waits.kind', '=', 'event')
    .execute();
  const eventByNonce = new Map(events.map((e) => [String(nonceOf(e.payload)), e]));
  const matching = (e: (typeof events)[number]) =>
    waits.filter((w) => w.event === e.event && w.correlation_key === e.correlation_key);
  const describe = (w: (typeof waits)[number]) => {
    const by = eventByNonce.get(String(nonceOf(w.payload)));
    const resolution =
      w.status === 'resolved'
        ? `resolved at ${w.resolved_at?.toISOString()} by ${by ? `event ${by.id} received ${by.received_at.toISOString()}` : JSON.stringify(w.payload)}`
        : `${w.status}${w.resolved_at ? ` at ${w.resolved_at.toISOString()}` : ''}`;
    return `wait ${w.id} at ${w.step_path} (created ${w.created_at.toISOString()}) is ${resolution}`;
  };

  for (const event of events) {
    for (const runId of event.resumed) {
      const resolved = waits.some(
        (w) =>
          w.run_id === runId &&
          w.event === event.event &&
          w.status === 'resolved' &&
          nonceOf(w.payload) === nonceOf(event.payload),
      );
      if (!resolved)
        add(
          '2 one answer per wait',
          runId,
          `event ${event.id} "${event.event}" key ${event.correlation_key} lists this run in resumed, but no wait of the run was resolved with its payload`,
        );
    }
    const at = event.received_at.getTime();
    for (const wait of matching(event)) {
      if (event.resumed.includes(wait.run_id)) continue;
      const openAtEvent =
        wait.created_at.getTime() < at && (wait.resolved_at === null || wait.resolved_at.getTime() > at);
      if (!openAtEvent) continue;
      // Something else that began before this delivery had committed (an operator's cancel
      // waiting for the same run row behind a frozen worker's commit, say) raced it fairly:
      // whichever committed first won (SPEC §7.2). resolved_at is that transaction's start.
      const deliveredBy = doneAtByNonce.get(String(nonceOf(event.payload))) ?? at;
      if (wait.resolved_at !== null && wait.resolved_at.getTime() < Math.max(at, deliveredBy) + RACE_MS) continue;
      add(
        '2 event delivered while waiting',
        wait.run_id,
        `event ${event.id} "${event.event}" key ${event.correlation_key} received ${event.received_at.toISOString()} resumed nothing, though ${describe(wait)}: it was open (or being created) when the event came`,
      );
    }
  }

  const windows = lookbacks(workflows);
  for (const wait of waits) {
    const lookbackMs = wait.event ? windows.get(windowKey(wait.workflow_key, wait.event)) : undefined;
    if (!lookbackMs) continue;
    const created = wait.created_at.getTime();
    const tookAtOnce =
      wait.status === 'resolved' && wait.resolved_at !== null && wait.resolved_at.getTime() - created < RACE_MS;
    // Created and closed in one go (a sibling branch failed in the same commit): it never waited.
    const closedAtOnce =
      (wait.status === 'canceled' || wait.status === 'expired') &&
      wait.resolved_at !== null &&
      wait.resolved_at.getTime() - created < RACE_MS;
    if (tookAtOnce || closedAtOnce) continue;
    const missed = events.find(
      (e) =>
        e.event === wait.event &&
        e.correlation_key === wait.correlation_key &&
        !e.resumed.includes(wait.run_id) &&
        e.received_at.getTime() <= created &&
        e.received_at.getTime() >= created - lookbackMs + LOOKBACK_EDGE_MS,
    );
    if (!missed) continue;
    add(
      '2 event within lookback',
      wait.run_id,
      `event ${missed.id} "${missed.event}" key ${missed.correlation_key} received ${missed.received_at.toISOString()}, ${created - missed.received_at.getTime()} ms before the wait began (lookbackMs ${lookbackMs}), but ${describe(wait)}`,
    );
  }
}
