import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { ZWorkflowKey, type TVersionDocument } from '@/model/definition/version-document';
import { findWorkflow } from '@/server/workflows/find-workflow';
import {
  findVersion,
  readStoredDocument,
  toVersionSummary,
  ZVersionNumber,
  type TVersionSummary,
} from '@/server/workflows/version-record';

export const ZGetVersion = z.object({ key: ZWorkflowKey, version: ZVersionNumber });
export type TGetVersion = z.input<typeof ZGetVersion>;

/** One version's document (with `version` and `status` filled) and its metadata, e.g. the revision a draft save must name. */
export async function getVersion({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TGetVersion;
}): Promise<{ document: TVersionDocument; summary: TVersionSummary }> {
  assertAllowed(ctx, 'workflow.read');
  const { key, version } = ZGetVersion.parse(input);
  const workflow = await findWorkflow({ db, tenantId: ctx.tenantId, key });
  const row = await findVersion({ db, workflowId: workflow.id, key, version });
  return { document: readStoredDocument(row), summary: toVersionSummary(row) };
}
