import 'server-only';
import { z } from 'zod';
import type { Db, Tx } from '@/server/db/database';
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

/** `POST /workflows/import` is a static route beside `/workflows/{key}`: a workflow keyed "import" could not be read there. */
export const RESERVED_WORKFLOW_KEYS = ['import'] as const;
export const ZNewWorkflowKey = ZWorkflowKey.refine(
  (key) => !(RESERVED_WORKFLOW_KEYS as readonly string[]).includes(key),
  'this key is reserved',
);

export const ZCreateWorkflow = z.object({
  key: ZNewWorkflowKey,
  name: ZWorkflowName,
  description: ZWorkflowDescription.default(''),
  tags: ZTags.default([]),
});
export type TCreateWorkflow = z.input<typeof ZCreateWorkflow>;

/** Inserts the workflow inside an open transaction; CONFLICT when the key is taken in this tenant. */
export async function insertWorkflow({
  tx,
  ctx,
  input,
}: {
  tx: Tx;
  ctx: TAuthContext;
  input: z.infer<typeof ZCreateWorkflow>;
}): Promise<string> {
  const row = await tx
    .insertInto('workflows')
    .values({
      tenant_id: ctx.tenantId,
      key: input.key,
      name: input.name,
      description: input.description,
      tags: input.tags,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row)
    throw new AppError('CONFLICT', `A workflow with key "${input.key}" already exists.`, [
      { path: 'key', message: 'already taken' },
    ]);
  await recordAudit({
    db: tx,
    ctx,
    entry: { action: 'workflow.created', targetType: 'workflow', targetId: input.key, data: { name: input.name } },
  });
  return row.id;
}

/** Creates an empty workflow (no versions yet) in the caller's tenant. */
export async function createWorkflow({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TCreateWorkflow;
}): Promise<TWorkflowRecord> {
  assertAllowed(ctx, 'workflow.write');
  const parsed = ZCreateWorkflow.parse(input);
  return db.transaction().execute(async (tx) => {
    await insertWorkflow({ tx, ctx, input: parsed });
    return toWorkflowRecord(
      await selectWorkflowRows(tx, ctx.tenantId).where('w.key', '=', parsed.key).executeTakeFirstOrThrow(),
    );
  });
}
