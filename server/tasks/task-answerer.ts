import 'server-only';
import { sql } from 'kysely';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { AppError } from '@/model/errors';
import {
  delegatorFor,
  effectiveRole,
  mayAnswer,
  ZTaskAssigneeRecord,
  type TTaskAssignee,
} from '@/server/tasks/task-record';
import { delegatorsOf } from '@/server/tasks/task-delegation';

/** "alice@example.com", "2 people: a@…, b@…", "the operator role": how pages and errors name an assignee. */
export function describeAssignee(assignee: TTaskAssignee): string {
  if ('user' in assignee) return assignee.user;
  if ('users' in assignee) return assignee.users.join(', ');
  return `the ${assignee.role} role`;
}

/** Who started a run tree: the person and/or token recorded when its root run was started. */
async function runStarter(db: DbOrTx, tenantId: string, runId: string) {
  const row = await sql<{ actor_type: string; actor_id: string | null; owner: string | null }>`
    WITH RECURSIVE chain AS (
      SELECT id, parent_run_id, 0 AS depth FROM runs WHERE id = ${runId} AND tenant_id = ${tenantId}
      UNION ALL
      SELECT r.id, r.parent_run_id, c.depth + 1 FROM runs r JOIN chain c ON r.id = c.parent_run_id WHERE c.depth < 64
    )
    SELECT a.actor_type, a.actor_id,
           (SELECT t.user_id::text FROM api_tokens t WHERE a.actor_type = 'token' AND t.id::text = a.actor_id) AS owner
      FROM audit_log a
     WHERE a.tenant_id = ${tenantId} AND a.target_type = 'run' AND a.action IN ('run.started', 'run.rerun')
       AND a.target_id = (SELECT id::text FROM chain WHERE parent_run_id IS NULL LIMIT 1)
     ORDER BY a.id LIMIT 1`.execute(db);
  const starter = row.rows[0];
  if (!starter) return null;
  return {
    userId: starter.actor_type === 'user' ? starter.actor_id : starter.owner,
    tokenId: starter.actor_type === 'token' ? starter.actor_id : null,
  };
}

/** Whether the caller (a person, or a token or its owner) started the run the task belongs to. */
export async function startedTheRun(db: DbOrTx, ctx: TAuthContext, runId: string): Promise<boolean> {
  const starter = await runStarter(db, ctx.tenantId, runId);
  if (!starter) return false;
  const callerUser =
    ctx.actor.type === 'user' ? ctx.actor.userId : ctx.actor.type === 'token' ? ctx.actor.userId : null;
  const callerToken = ctx.actor.type === 'token' ? ctx.actor.tokenId : null;
  return (
    (callerUser !== null && callerUser === starter.userId) || (callerToken !== null && callerToken === starter.tokenId)
  );
}

export const SELF_APPROVAL_MESSAGE =
  'You started this run, and this task does not allow approving your own request (allowSelfApproval: false); someone else must answer it.';

/**
 * The checks every answer passes, in order: assigned to the caller (or an admin), claimed by
 * someone else, and self-approval. Each refusal is a 403 that says why.
 */
export async function assertMayAnswerTask(
  db: DbOrTx,
  {
    ctx,
    email,
    task,
  }: {
    ctx: TAuthContext;
    email: string | null;
    task: {
      tenant_id: string;
      run_id: string;
      assignee: unknown;
      claimed_by: string | null;
      allow_self_approval: boolean | null;
    };
  },
): Promise<{ onBehalfOf: string | null }> {
  const assignee = ZTaskAssigneeRecord.parse(task.assignee);
  // A delegate answers a task naming their delegator (one hop: delegators' own delegates do not count).
  const onBehalfOf = mayAnswer(assignee, ctx, email)
    ? null
    : delegatorFor(assignee, await delegatorsOf(db, task.tenant_id, email));
  if (!mayAnswer(assignee, ctx, email) && !onBehalfOf)
    throw new AppError('FORBIDDEN', `This task is assigned to ${describeAssignee(assignee)}.`);
  if (task.claimed_by && task.claimed_by !== email && effectiveRole(ctx) !== 'admin')
    throw new AppError(
      'FORBIDDEN',
      `This task is claimed by ${task.claimed_by}; only they (or an admin) can answer it.`,
    );
  if (task.allow_self_approval === false && (await startedTheRun(db, ctx, task.run_id)))
    throw new AppError('FORBIDDEN', SELF_APPROVAL_MESSAGE);
  return { onBehalfOf };
}
