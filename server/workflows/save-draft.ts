import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db, Tx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { ZWorkflowKey, type TVersionDocument } from '@/model/definition/version-document';
import { completeDocument, ZVersionDocumentBody } from '@/server/workflows/document-body';
import { collectUsedTypes } from '@/server/workflows/collect-used-types';
import { findWorkflow, type TWorkflowRef } from '@/server/workflows/find-workflow';
import { toStoredDocument } from '@/server/workflows/version-record';

export const ZSaveDraft = z.object({
  key: ZWorkflowKey,
  /** Without `name` or `description`, the workflow's are used. */
  document: ZVersionDocumentBody,
  /** The draft revision the edit started from; a different current revision is a CONFLICT. */
  expectedRevision: z.number().int().min(1).optional(),
  /**
   * For an edit that started with no draft: the newest version number it was loaded at (0 when
   * the workflow had no version). A draft, or a newer version, found now is a CONFLICT, so the
   * first save of a page never writes over a draft started elsewhere meanwhile.
   */
  expectedLatestVersion: z.number().int().min(0).optional(),
});
export type TSaveDraft = z.input<typeof ZSaveDraft>;
export type TSavedDraft = { version: number; revision: number; updatedAt: string };

const STALE = 'The draft changed since you loaded it; reload it and apply your edit again.';

/**
 * Creates or replaces the workflow's one draft inside an open transaction that already
 * locked the workflow row (findWorkflow with `lock`). A new draft takes max(version)+1, so
 * a published version is never written: editing it makes a new draft. When the document
 * names a `version`, it must be the draft's (or the next) number.
 */
export async function writeDraft({
  tx,
  ctx,
  workflow,
  document,
  expectedRevision,
  expectedLatestVersion,
}: {
  tx: Tx;
  ctx: TAuthContext;
  workflow: TWorkflowRef;
  document: TVersionDocument;
  expectedRevision?: number;
  expectedLatestVersion?: number;
}): Promise<TSavedDraft> {
  if (document.key !== workflow.key) {
    throw new AppError(
      'VALIDATION',
      `The document's key "${document.key}" is not this workflow's key "${workflow.key}".`,
      [{ path: 'key', message: `must be "${workflow.key}"` }],
    );
  }
  const versions = tx.selectFrom('workflow_versions').where('workflow_id', '=', workflow.id);
  const draft = await versions.select(['version', 'revision']).where('status', '=', 'draft').executeTakeFirst();
  const latest =
    draft && expectedLatestVersion === undefined
      ? null
      : await versions.select((eb) => eb.fn.max('version').as('max')).executeTakeFirst();
  const target = draft?.version ?? (latest?.max ?? 0) + 1;
  if (document.version !== undefined && document.version !== target) {
    const named = await versions.select('status').where('version', '=', document.version).executeTakeFirst();
    if (named?.status === 'published')
      throw new AppError(
        'CONFLICT',
        `Version ${document.version} is published and can no longer change; save without a version number to start a new draft.`,
      );
    throw new AppError(
      'CONFLICT',
      `Version ${document.version} is not the draft of "${workflow.key}" (the draft is version ${target}).`,
    );
  }
  if (expectedRevision !== undefined && draft?.revision !== expectedRevision) throw new AppError('CONFLICT', STALE);
  if (expectedLatestVersion !== undefined && (draft || (latest?.max ?? 0) !== expectedLatestVersion))
    throw new AppError('CONFLICT', STALE);

  const used = collectUsedTypes(document.steps);
  const stored = toStoredDocument(document);
  const row = draft
    ? await tx
        .updateTable('workflow_versions')
        .set({
          document: stored,
          node_types: used.nodeTypes,
          actions: used.actions,
          revision: sql`revision + 1`,
          updated_at: sql`now()`,
        })
        .where('workflow_id', '=', workflow.id)
        .where('version', '=', draft.version)
        .returning(['version', 'revision', 'updated_at'])
        .executeTakeFirstOrThrow()
    : await tx
        .insertInto('workflow_versions')
        .values({
          tenant_id: ctx.tenantId,
          workflow_id: workflow.id,
          version: target,
          status: 'draft',
          document: stored,
          node_types: used.nodeTypes,
          actions: used.actions,
        })
        .returning(['version', 'revision', 'updated_at'])
        .executeTakeFirstOrThrow();
  await tx
    .updateTable('workflows')
    .set({ updated_at: sql`now()` })
    .where('id', '=', workflow.id)
    .execute();
  await recordAudit({
    db: tx,
    ctx,
    entry: {
      action: draft ? 'workflow.draft_saved' : 'workflow.draft_created',
      targetType: 'workflow',
      targetId: workflow.key,
      data: { version: row.version, revision: row.revision },
    },
  });
  return { version: row.version, revision: row.revision, updatedAt: row.updated_at.toISOString() };
}

/** Creates or replaces the draft of a workflow from a version document (SPEC §6 `POST /workflows/{key}/versions`). */
export async function saveDraft({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TSaveDraft;
}): Promise<TSavedDraft> {
  assertAllowed(ctx, 'workflow.write');
  const { key, document, expectedRevision, expectedLatestVersion } = ZSaveDraft.parse(input);
  return db.transaction().execute(async (tx) => {
    const workflow = await findWorkflow({ db: tx, tenantId: ctx.tenantId, key, lock: true });
    const complete = await completeDocument({ db: tx, workflowId: workflow.id, body: document });
    return writeDraft({ tx, ctx, workflow, document: complete, expectedRevision, expectedLatestVersion });
  });
}
