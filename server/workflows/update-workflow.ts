import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { ZWorkflowKey } from '@/model/definition/version-document';
import {
  selectWorkflowRows,
  toWorkflowRecord,
  ZTags,
  ZWorkflowDescription,
  ZWorkflowName,
  type TWorkflowRecord,
} from '@/server/workflows/workflow-record';
import { ZWorkflowStatus } from '@/server/workflows/workflow-status';

export const ZWorkflowChanges = z
  .object({
    name: ZWorkflowName.optional(),
    description: ZWorkflowDescription.optional(),
    tags: ZTags.optional(),
    status: ZWorkflowStatus.optional(),
  })
  .strict();
export const ZUpdateWorkflow = ZWorkflowChanges.extend({ key: ZWorkflowKey });
export type TUpdateWorkflow = z.input<typeof ZUpdateWorkflow>;

/** Changes a workflow's name, description, tags or status; archiving is `status: "archived"`. */
export async function updateWorkflow({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TUpdateWorkflow;
}): Promise<TWorkflowRecord> {
  assertAllowed(ctx, 'workflow.write');
  const { key, ...changes } = ZUpdateWorkflow.parse(input);
  return db.transaction().execute(async (tx) => {
    const before = await tx
      .selectFrom('workflows')
      .select(['id', 'status'])
      .where('tenant_id', '=', ctx.tenantId)
      .where('key', '=', key)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new AppError('NOT_FOUND', `No workflow with key "${key}".`);
    await tx
      .updateTable('workflows')
      .set({ ...changes, updated_at: sql`now()` })
      .where('id', '=', before.id)
      .execute();
    const statusChanged = changes.status !== undefined && changes.status !== before.status;
    // Archiving and restoring are recorded as such: they are what an audit reader looks for.
    const action = statusChanged
      ? changes.status === 'archived'
        ? 'workflow.archived'
        : 'workflow.restored'
      : 'workflow.updated';
    await recordAudit({
      db: tx,
      ctx,
      entry: { action, targetType: 'workflow', targetId: key, data: { changed: Object.keys(changes) } },
    });
    return toWorkflowRecord(
      await selectWorkflowRows(tx, ctx.tenantId).where('w.id', '=', before.id).executeTakeFirstOrThrow(),
    );
  });
}
