import 'server-only';
import { sql } from 'kysely';
import type { DbOrTx } from '@/server/db/database';

/** The channel that says "a tenant's inbox changed" (the badge's SSE stream listens). */
export const TASKS_CHANGED_CHANNEL = 'pipewright_tasks_changed';

/** Tells listeners, at commit, that a tenant's tasks changed (answered, claimed, reassigned …). */
export async function notifyTasksChanged(db: DbOrTx, tenantId: string): Promise<void> {
  await sql`SELECT pg_notify(${TASKS_CHANGED_CHANNEL}, ${tenantId})`.execute(db);
}
