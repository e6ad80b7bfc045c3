import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import { actorLabel, type TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { collectUsedTypes } from '@/server/workflows/collect-used-types';
import { createWorkflowResolver } from '@/server/workflows/create-workflow-resolver';
import { findWorkflow } from '@/server/workflows/find-workflow';
import { validateDefinition } from '@/server/workflows/validation/validate-definition';
import { findVersion, readStoredDocument, toStoredDocument, ZVersionNumber } from '@/server/workflows/version-record';

export const ZPublishVersion = z.object({ key: ZWorkflowKey, version: ZVersionNumber });
export type TPublishVersion = z.input<typeof ZPublishVersion>;

export const ZProblemDetail = z.object({
  stepId: z.string().nullable(),
  path: z.string(),
  message: z.string(),
  /** Inside a `$template`: the offset in the template (SPEC §9). */
  offset: z.number().int().optional(),
});
export type TProblemDetail = z.infer<typeof ZProblemDetail>;
export const ZPublished = z.object({
  version: z.number().int(),
  publishedAt: z.string(),
  warnings: z.array(ZProblemDetail),
});
export type TPublished = z.infer<typeof ZPublished>;

function publishedAt(value: Date | null): string {
  if (!value) throw new AppError('INTERNAL', 'The published version has no publish time.');
  return value.toISOString();
}

/**
 * Publishes a draft: validates it against the tenant's other workflows (for callWorkflow
 * targets), then freezes it. Errors refuse with VALIDATION (422) listing every problem;
 * warnings are returned. A published version answers CONFLICT: it never changes again.
 */
export async function publishVersion({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TPublishVersion;
}): Promise<TPublished> {
  assertAllowed(ctx, 'workflow.write');
  const { key, version } = ZPublishVersion.parse(input);
  return db.transaction().execute(async (tx) => {
    // The workflow lock orders this against draft saves, so what is validated is what is frozen.
    const workflow = await findWorkflow({ db: tx, tenantId: ctx.tenantId, key, lock: true });
    const row = await findVersion({ db: tx, workflowId: workflow.id, key, version, lock: true });
    if (row.status === 'published')
      throw new AppError('CONFLICT', `Version ${version} of "${key}" is already published.`);
    const { document, problems } = await validateDefinition({
      document: readStoredDocument(row),
      resolver: createWorkflowResolver({ db: tx, tenantId: ctx.tenantId }),
    });
    const toDetail = ({ stepId, path, message, offset }: TProblemDetail): TProblemDetail => ({
      stepId,
      path,
      message,
      ...(offset === undefined ? {} : { offset }),
    });
    const errors = problems.filter((p) => p.severity === 'error').map(toDetail);
    if (errors.length > 0 || !document) {
      throw new AppError(
        'VALIDATION',
        `Version ${version} of "${key}" cannot be published: ${errors.length} problem${errors.length === 1 ? '' : 's'} to fix.`,
        errors,
      );
    }
    const used = collectUsedTypes(document.steps);
    const published = await tx
      .updateTable('workflow_versions')
      .set({
        status: 'published',
        document: toStoredDocument(document),
        node_types: used.nodeTypes,
        actions: used.actions,
        published_at: sql`now()`,
        published_by: actorLabel(ctx.actor),
        updated_at: sql`now()`,
      })
      .where('id', '=', row.id)
      .returning('published_at')
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('workflows')
      .set({ updated_at: sql`now()` })
      .where('id', '=', workflow.id)
      .execute();
    await recordAudit({
      db: tx,
      ctx,
      entry: { action: 'workflow.version_published', targetType: 'workflow', targetId: key, data: { version } },
    });
    return {
      version,
      publishedAt: publishedAt(published.published_at),
      warnings: problems.filter((p) => p.severity === 'warning').map(toDetail),
    };
  });
}
