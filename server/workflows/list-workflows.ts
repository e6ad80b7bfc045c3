import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { decodeCursor, encodeCursor, ZLimit } from '@/server/api/pagination';
import { selectWorkflowRows, toWorkflowRecord, type TWorkflowRecord } from '@/server/workflows/workflow-record';
import { ZWorkflowStatus } from '@/server/workflows/workflow-status';

export const ZListWorkflows = z.object({
  /** Part of the name, key or a tag, case-insensitive. */
  q: z.string().trim().max(200).optional(),
  tag: z.string().trim().min(1).max(50).optional(),
  status: ZWorkflowStatus.optional(),
  /** A node type (`human.task`) or action (`http.request`, `http.request@1`) used by the latest version or the draft. */
  uses: z.string().trim().min(1).max(200).optional(),
  limit: ZLimit.optional(),
  cursor: z.string().max(500).optional(),
});
export type TListWorkflows = z.input<typeof ZListWorkflows>;

function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, '\\$&');
}

/** The tenant's workflows by key, filtered, a page at a time (the cursor is the last key). */
export async function listWorkflows({
  db,
  ctx,
  input = {},
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input?: TListWorkflows;
}): Promise<{ items: TWorkflowRecord[]; nextCursor: string | null }> {
  assertAllowed(ctx, 'workflow.read');
  const { q, tag, status, uses, limit, cursor } = ZListWorkflows.parse(input);
  const size = ZLimit.parse(limit);
  const after = decodeCursor(cursor);
  let query = selectWorkflowRows(db, ctx.tenantId);
  if (after !== null) query = query.where('w.key', '>', after);
  if (q) {
    const pattern = `%${escapeLike(q)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('w.name', 'ilike', pattern),
        eb('w.key', 'ilike', pattern),
        sql<boolean>`EXISTS (SELECT 1 FROM unnest(w.tags) AS t(tag) WHERE t.tag ILIKE ${pattern})`,
      ]),
    );
  }
  if (tag) query = query.where(sql<boolean>`w.tags @> ARRAY[${tag}]::text[]`);
  if (status) query = query.where('w.status', '=', status);
  if (uses) {
    // "What this workflow does now": the latest published version and the open draft, not
    // every old version (those stay searchable through the version list).
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('workflow_versions as u')
          .select(sql`1`.as('one'))
          .whereRef('u.workflow_id', '=', 'w.id')
          .where(sql<boolean>`(u.node_types @> ARRAY[${uses}]::text[] OR u.actions @> ARRAY[${uses}]::text[])`)
          .where(
            sql<boolean>`(u.status = 'draft' OR u.version = (SELECT max(p.version) FROM workflow_versions p WHERE p.workflow_id = w.id AND p.status = 'published'))`,
          ),
      ),
    );
  }
  const rows = await query
    .orderBy('w.key')
    .limit(size + 1)
    .execute();
  const page = rows.slice(0, size);
  return {
    items: page.map(toWorkflowRecord),
    nextCursor: rows.length > size ? encodeCursor(page[page.length - 1]!.key) : null,
  };
}
