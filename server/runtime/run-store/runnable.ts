import 'server-only';
import { sql, type RawBuilder } from 'kysely';
import { RUN_TIMEOUT_PATH } from '@/server/runtime/run-store/end-run-effects';
import { oncePerAlias } from '@/server/runtime/run-store/once-per-alias';

/**
 * The one rule for "a worker should advance this run now", used by the claim and by the
 * reaper alike, over the runs row aliased `alias`: QUEUED or RUNNING; WAITING with a wait
 * that is due (a delay, a backoff, a timeout); WAITING or PAUSED with a cancel asked for
 * (a parent that ended); PAUSED with its `settings.timeoutMs` deadline due (a paused run's
 * deadline still applies: the pass fails it with TIMEOUT, SPEC §7.1); WAITING with a lease on
 * it: a pass that claimed it and never released it (its worker died, or lost the database
 * mid-commit), after which the due wait it came for may already be closed (checkWait closes a
 * due wait at once), so nothing else would show it needs a pass. Whether a lease is live is
 * not part of it: who may take a runnable run is the claim's business.
 */
export const runnable: (alias: string) => RawBuilder<boolean> = oncePerAlias((alias) => {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<boolean>`(
    ${column('status')} IN ('QUEUED', 'RUNNING')
    OR (${column('status')} = 'WAITING' AND EXISTS (SELECT 1 FROM run_waits due WHERE due.run_id = ${column('id')} AND due.status = 'open' AND due.resume_at <= now()))
    OR (${column('status')} IN ('WAITING', 'PAUSED') AND ${column('cancel_requested')})
    OR (${column('status')} = 'WAITING' AND ${column('lease_owner')} IS NOT NULL)
    OR (${column('status')} = 'PAUSED' AND EXISTS (SELECT 1 FROM run_waits due WHERE due.run_id = ${column('id')} AND due.status = 'open' AND due.step_path = ${RUN_TIMEOUT_PATH} AND due.resume_at <= now()))
  )`;
});
