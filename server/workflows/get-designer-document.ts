import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { AppError } from '@/model/errors';
import { ZWorkflowKey, type TVersionDocument } from '@/model/definition/version-document';
import { readStoredDocument, toVersionSummary, type TVersionSummary } from '@/server/workflows/version-record';

export const ZGetDesignerDocument = z.object({ key: ZWorkflowKey });
export type TGetDesignerDocument = z.input<typeof ZGetDesignerDocument>;

/** What the designer page opens with: the workflow's name, description and pause, and its newest version (null before the first save). */
export type TDesignerDocument = {
  workflow: { name: string; description: string; paused: boolean };
  newest: { document: TVersionDocument; summary: TVersionSummary } | null;
};

/**
 * The designer's workflow and newest version in one statement. The page asked for the workflow
 * with its run stats (a count over a week of runs), the list of versions (every column, the
 * document included) and the newest version again: four round trips and the document read twice
 * before anything was drawn.
 */
export async function getDesignerDocument({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TGetDesignerDocument;
}): Promise<TDesignerDocument> {
  assertAllowed(ctx, 'workflow.read');
  const { key } = ZGetDesignerDocument.parse(input);
  const row = await db
    .selectFrom('workflows as w')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('workflow_versions as v')
          .whereRef('v.workflow_id', '=', 'w.id')
          .where('v.tenant_id', '=', ctx.tenantId)
          .select([
            'v.id',
            'v.version',
            'v.status',
            'v.document',
            'v.node_types',
            'v.actions',
            'v.revision',
            'v.created_at',
            'v.updated_at',
            'v.published_at',
            'v.published_by',
          ])
          .orderBy('v.version', 'desc')
          .limit(1)
          .as('v'),
      (join) => join.onTrue(),
    )
    .where('w.tenant_id', '=', ctx.tenantId)
    .where('w.key', '=', key)
    .select(['w.name', 'w.description', 'w.paused'])
    .selectAll('v')
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `No workflow with key "${key}".`);
  const workflow = { name: row.name, description: row.description, paused: row.paused };
  if (row.id === null || row.version === null || row.status === null) return { workflow, newest: null };
  const version = {
    id: row.id,
    version: row.version,
    status: row.status,
    document: row.document,
    node_types: row.node_types ?? [],
    actions: row.actions ?? [],
    revision: row.revision ?? 0,
    created_at: row.created_at!,
    updated_at: row.updated_at!,
    published_at: row.published_at,
    published_by: row.published_by,
  };
  return { workflow, newest: { document: readStoredDocument(version), summary: toVersionSummary(version) } };
}
