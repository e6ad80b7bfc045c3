import 'server-only';
import type { Db } from '@/server/db/database';

/** How long a process trusts a workflow's paused flag: a pause reaches every worker within this. */
const TTL_MS = 2_000;
const cache = new Map<string, { paused: boolean; at: number }>();

/**
 * Whether the workflow is paused (its new runs held QUEUED), read at most once per TTL per
 * process for the worker's start of each run; admission reads it again under its lock.
 */
export async function isWorkflowPaused({ db, workflowId }: { db: Db; workflowId: string }): Promise<boolean> {
  const hit = cache.get(workflowId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.paused;
  const row = await db.selectFrom('workflows').select('paused').where('id', '=', workflowId).executeTakeFirst();
  const paused = row?.paused ?? false;
  if (cache.size > 10_000) cache.clear();
  cache.set(workflowId, { paused, at: Date.now() });
  return paused;
}

export function forgetWorkflowPaused(workflowId: string): void {
  cache.delete(workflowId);
}
