import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { AppError } from '@/model/errors';
import { completeDocument, ZVersionDocumentBody } from '@/server/workflows/document-body';
import { insertWorkflow, ZNewWorkflowKey } from '@/server/workflows/create-workflow';
import { createWorkflowResolver } from '@/server/workflows/create-workflow-resolver';
import { findWorkflow } from '@/server/workflows/find-workflow';
import { ZTags } from '@/server/workflows/workflow-record';
import { writeDraft, type TSavedDraft } from '@/server/workflows/save-draft';
import { validateDefinition } from '@/server/workflows/validation/validate-definition';
import { ZProblem, type TProblem } from '@/model/definition/problem';

/**
 * What an import reads: a version document, plus the workflow's `tags` that an export writes
 * beside it (they belong to the workflow, not to a version, so they are not stored in the draft).
 */
export const ZImportDocument = ZVersionDocumentBody.extend({
  tags: ZTags.optional().describe("The workflow's tags; when given they replace the workflow's"),
}).describe("A version document (as exported); without `name` or `description`, the workflow's are used");

export const ZImportWorkflow = z.object({ document: ZImportDocument });
export type TImportWorkflow = z.input<typeof ZImportWorkflow>;
export const ZImported = z.object({
  key: z.string(),
  version: z.number().int(),
  revision: z.number().int(),
  createdWorkflow: z.boolean(),
  problems: z.array(ZProblem),
});
export type TImported = TSavedDraft & { key: string; createdWorkflow: boolean; problems: TProblem[] };

/**
 * Imports a version document: creates the workflow when its key is new, then makes the
 * document the draft (replacing an open one). Validation problems are returned, not
 * refused: a draft may be incomplete; publishing is where they block.
 */
export async function importWorkflow({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TImportWorkflow;
}): Promise<TImported> {
  assertAllowed(ctx, 'workflow.write');
  // An exported document carries the `version` and `status` it had; an import always becomes the draft.
  const { version: _version, status: _status, tags, ...body } = ZImportWorkflow.parse(input).document;
  const { saved, document } = await db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom('workflows')
      .select('id')
      .where('tenant_id', '=', ctx.tenantId)
      .where('key', '=', body.key)
      .executeTakeFirst();
    const document = await completeDocument({ db: tx, workflowId: existing?.id ?? null, body });
    if (!existing) {
      const key = ZNewWorkflowKey.safeParse(document.key);
      if (!key.success)
        throw new AppError('VALIDATION', `key: ${key.error.issues[0]?.message ?? 'not allowed'}`, [
          { path: 'key', message: key.error.issues[0]?.message ?? 'not allowed' },
        ]);
      await insertWorkflow({
        tx,
        ctx,
        input: { key: key.data, name: document.name, description: document.description, tags: tags ?? [] },
      });
    } else if (tags !== undefined) {
      await tx
        .updateTable('workflows')
        .set({ tags, updated_at: sql`now()` })
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', existing.id)
        .execute();
    }
    const workflow = await findWorkflow({ db: tx, tenantId: ctx.tenantId, key: document.key, lock: true });
    return { document, saved: { createdWorkflow: !existing, ...(await writeDraft({ tx, ctx, workflow, document })) } };
  });
  const { problems } = await validateDefinition({
    document: { ...document, version: saved.version },
    resolver: createWorkflowResolver({ db, tenantId: ctx.tenantId }),
  });
  return { key: document.key, ...saved, problems };
}
