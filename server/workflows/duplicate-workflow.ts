import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { insertWorkflow, ZNewWorkflowKey } from '@/server/workflows/create-workflow';
import { findWorkflow } from '@/server/workflows/find-workflow';
import { writeDraft } from '@/server/workflows/save-draft';
import { readStoredDocument } from '@/server/workflows/version-record';
import {
  selectWorkflowRows,
  toWorkflowRecord,
  ZWorkflowName,
  type TWorkflowRecord,
} from '@/server/workflows/workflow-record';

export const ZDuplicateWorkflow = z.object({ key: ZWorkflowKey, newKey: ZNewWorkflowKey, name: ZWorkflowName });
export type TDuplicateWorkflow = z.input<typeof ZDuplicateWorkflow>;

/**
 * Copies a workflow under a new key: its description and tags, and its current definition
 * (the open draft, else the latest published version) as the copy's first draft. Runs,
 * triggers and history stay with the original.
 */
export async function duplicateWorkflow({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TDuplicateWorkflow;
}): Promise<TWorkflowRecord> {
  assertAllowed(ctx, 'workflow.write');
  const { key, newKey, name } = ZDuplicateWorkflow.parse(input);
  return db.transaction().execute(async (tx) => {
    const source = await tx
      .selectFrom('workflows')
      .select(['id', 'description', 'tags'])
      .where('tenant_id', '=', ctx.tenantId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!source) throw new AppError('NOT_FOUND', `No workflow with key "${key}".`);
    await insertWorkflow({ tx, ctx, input: { key: newKey, name, description: source.description, tags: source.tags } });
    const current = await tx
      .selectFrom('workflow_versions')
      .select(['version', 'status', 'document'])
      .where('workflow_id', '=', source.id)
      // The draft first (what people are working on), then the highest published version.
      .orderBy((eb) => eb.case().when('status', '=', 'draft').then(0).else(1).end())
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (current) {
      const document = readStoredDocument(current);
      const { version: _version, status: _status, ...rest } = document;
      const copy = await findWorkflow({ db: tx, tenantId: ctx.tenantId, key: newKey, lock: true });
      await writeDraft({ tx, ctx, workflow: copy, document: { ...rest, key: newKey, name } });
    }
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'workflow.duplicated',
        targetType: 'workflow',
        targetId: newKey,
        data: { from: key, fromVersion: current?.version ?? null },
      },
    });
    return toWorkflowRecord(
      await selectWorkflowRows(tx, ctx.tenantId).where('w.key', '=', newKey).executeTakeFirstOrThrow(),
    );
  });
}
