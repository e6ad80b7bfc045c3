import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { decodeCursor, encodeCursor, ZLimit } from '@/server/api/pagination';
import { AppError } from '@/model/errors';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { findWorkflow } from '@/server/workflows/find-workflow';
import { toVersionSummary, ZVersionNumber, type TVersionSummary } from '@/server/workflows/version-record';

export const ZListVersions = z.object({
  key: ZWorkflowKey,
  limit: ZLimit.optional(),
  cursor: z.string().max(100).optional(),
});
export type TListVersions = z.input<typeof ZListVersions>;

/** A workflow's versions, newest first; the cursor is the last version number of the page. */
export async function listVersions({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TListVersions;
}): Promise<{ items: TVersionSummary[]; nextCursor: string | null }> {
  assertAllowed(ctx, 'workflow.read');
  const { key, limit, cursor } = ZListVersions.parse(input);
  const size = ZLimit.parse(limit);
  const raw = decodeCursor(cursor);
  const after = raw === null ? null : ZVersionNumber.safeParse(raw);
  if (after && !after.success)
    throw new AppError('VALIDATION', 'cursor: not a cursor this API returned', [
      { path: 'cursor', message: 'invalid cursor' },
    ]);
  const workflow = await findWorkflow({ db, tenantId: ctx.tenantId, key });
  let query = db
    .selectFrom('workflow_versions')
    .select([
      'id',
      'version',
      'status',
      'document',
      'node_types',
      'actions',
      'revision',
      'created_at',
      'updated_at',
      'published_at',
      'published_by',
    ])
    .where('tenant_id', '=', ctx.tenantId)
    .where('workflow_id', '=', workflow.id);
  if (after?.success) query = query.where('version', '<', after.data);
  const rows = await query
    .orderBy('version', 'desc')
    .limit(size + 1)
    .execute();
  const page = rows.slice(0, size);
  return {
    items: page.map(toVersionSummary),
    nextCursor: rows.length > size ? encodeCursor(String(page[page.length - 1]!.version)) : null,
  };
}
