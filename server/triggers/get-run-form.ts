import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { AppError } from '@/model/errors';
import { ZVersionDocument, ZWorkflowKey } from '@/model/definition/version-document';

export const ZGetRunForm = z.object({ key: ZWorkflowKey, version: z.number().int().min(1).optional() });
export type TGetRunForm = z.input<typeof ZGetRunForm>;
export type TRunForm = { workflowKey: string; name: string; version: number; parameterSchema: Record<string, unknown> };

/**
 * What the manual run form needs: the published version a start would pin (the latest unless
 * one is named) and its parameter schema. CONFLICT when nothing is published or the workflow is
 * archived, so the dialog can say why there is no form.
 */
export async function getRunForm({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TGetRunForm;
}): Promise<TRunForm> {
  assertAllowed(ctx, 'run.start');
  const { key, version } = ZGetRunForm.parse(input);
  const workflow = await db
    .selectFrom('workflows')
    .select(['id', 'name', 'status'])
    .where('tenant_id', '=', ctx.tenantId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!workflow) throw new AppError('NOT_FOUND', `No workflow with key "${key}".`);
  if (workflow.status === 'archived')
    throw new AppError('CONFLICT', `Workflow "${key}" is archived; restore it to start runs.`);
  let query = db
    .selectFrom('workflow_versions')
    .select(['version', 'document'])
    .where('workflow_id', '=', workflow.id)
    .where('status', '=', 'published');
  query = version === undefined ? query.orderBy('version', 'desc') : query.where('version', '=', version);
  const row = await query.limit(1).executeTakeFirst();
  if (!row)
    throw new AppError(
      'CONFLICT',
      version === undefined
        ? `Workflow "${key}" has no published version to run yet. Publish it first.`
        : `Workflow "${key}" has no published version ${version}.`,
    );
  const document = ZVersionDocument.parse(row.document);
  return { workflowKey: key, name: workflow.name, version: row.version, parameterSchema: document.parameterSchema };
}
