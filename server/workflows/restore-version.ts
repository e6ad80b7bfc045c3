import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { findWorkflow } from '@/server/workflows/find-workflow';
import { writeDraft, type TSavedDraft } from '@/server/workflows/save-draft';
import { findVersion, readStoredDocument, ZVersionNumber } from '@/server/workflows/version-record';

export const ZRestoreVersion = z.object({
  key: ZWorkflowKey,
  version: ZVersionNumber,
  /** The draft revision the page showed (it is replaced): another save since then is a CONFLICT. */
  expectedRevision: z.number().int().min(1).optional(),
});
export type TRestoreVersion = z.input<typeof ZRestoreVersion>;

/**
 * Makes a published version's document the workflow's draft: the open draft is replaced
 * (the page asks first), else a new draft is started. The published version itself never
 * changes; the audit log says which version was restored.
 */
export async function restoreVersion({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TRestoreVersion;
}): Promise<TSavedDraft> {
  assertAllowed(ctx, 'workflow.write');
  const { key, version, expectedRevision } = ZRestoreVersion.parse(input);
  return db.transaction().execute(async (tx) => {
    const workflow = await findWorkflow({ db: tx, tenantId: ctx.tenantId, key, lock: true });
    const row = await findVersion({ db: tx, workflowId: workflow.id, key, version });
    if (row.status !== 'published')
      throw new AppError('CONFLICT', `Version ${version} is the draft already; only a published version is restored.`);
    const { version: _version, status: _status, ...document } = readStoredDocument(row);
    const saved = await writeDraft({ tx, ctx, workflow, document, expectedRevision });
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: 'workflow.version_restored',
        targetType: 'workflow',
        targetId: key,
        data: { restored: version, draft: saved.version, revision: saved.revision },
      },
    });
    return saved;
  });
}
