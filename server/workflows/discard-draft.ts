import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { findWorkflow } from '@/server/workflows/find-workflow';

export const ZDiscardDraft = z.object({
  key: ZWorkflowKey,
  /** The draft revision the page showed: a save since then is a CONFLICT, not thrown away unseen. */
  expectedRevision: z.number().int().min(1),
});
export type TDiscardDraft = z.input<typeof ZDiscardDraft>;

/**
 * Deletes the workflow's draft, so the designer opens the latest published version again (or
 * an empty workflow when nothing was published). Refused when the draft changed since the page
 * showed it, or when runs were started on it (deleting it would delete them).
 */
export async function discardDraft({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TDiscardDraft;
}): Promise<{ version: number }> {
  assertAllowed(ctx, 'workflow.write');
  const { key, expectedRevision } = ZDiscardDraft.parse(input);
  return db.transaction().execute(async (tx) => {
    const workflow = await findWorkflow({ db: tx, tenantId: ctx.tenantId, key, lock: true });
    const draft = await tx
      .selectFrom('workflow_versions')
      .select(['id', 'version', 'revision'])
      .where('workflow_id', '=', workflow.id)
      .where('status', '=', 'draft')
      .executeTakeFirst();
    if (!draft) throw new AppError('NOT_FOUND', `Workflow "${key}" has no draft to discard.`);
    if (draft.revision !== expectedRevision)
      throw new AppError('CONFLICT', 'The draft changed since you loaded it; reload to see it before discarding.');
    const runs = await tx
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('tenant_id', '=', ctx.tenantId)
      .where('version_id', '=', draft.id)
      .executeTakeFirstOrThrow();
    if (Number(runs.count) > 0)
      throw new AppError(
        'CONFLICT',
        `${runs.count} run(s) were started on draft v${draft.version}; discarding it would delete them.`,
      );
    await tx.deleteFrom('workflow_versions').where('id', '=', draft.id).execute();
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'workflow.draft_discarded',
        targetType: 'workflow',
        targetId: key,
        data: { version: draft.version, revision: draft.revision },
      },
    });
    return { version: draft.version };
  });
}
