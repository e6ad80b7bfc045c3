import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { findRunRow, ZRunId } from '@/server/runs/run-record';
import { ZLimit } from '@/server/api/pagination';
import { decodeTimeIdCursor, encodeTimeIdCursor } from '@/server/api/time-id-cursor';
import type { TArtifactRecord } from '@/model/artifacts/artifact-ref';

export const ZRunArtifactsPage = z.object({ limit: ZLimit, cursor: z.string().max(200).optional() });
export const ZListRunArtifacts = ZRunArtifactsPage.extend({ id: ZRunId });

/** The download address of an artifact. */
export const artifactUrl = (id: string) => `/api/v1/artifacts/${id}`;

/**
 * A run's artifacts (SPEC §11 `GET /runs/{id}/artifacts`), oldest first, without their bytes;
 * a run of another tenant is not found.
 */
export async function listRunArtifacts({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: z.input<typeof ZListRunArtifacts>;
}): Promise<{ items: TArtifactRecord[]; nextCursor: string | null }> {
  assertAllowed(ctx, 'run.read');
  const { id, limit, cursor } = ZListRunArtifacts.parse(input);
  const after = decodeTimeIdCursor(cursor);
  const run = await findRunRow(db, ctx.tenantId, id);
  let query = db
    .selectFrom('run_artifacts')
    .select(['id', 'run_id', 'step_id', 'step_path', 'name', 'content_type', 'size', 'created_at'])
    // Microseconds kept for the cursor: rows of one commit share a time to the microsecond.
    .select(sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'))
    .where('tenant_id', '=', ctx.tenantId)
    .where('run_id', '=', run.id);
  if (after) query = query.where(sql<boolean>`(created_at, id) > (${after.at}::timestamptz, ${after.id}::uuid)`);
  const rows = await query
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({
      id: row.id,
      runId: row.run_id,
      stepId: row.step_id,
      stepPath: row.step_path,
      name: row.name,
      contentType: row.content_type,
      size: Number(row.size),
      createdAt: row.created_at.toISOString(),
      url: artifactUrl(row.id),
    })),
    nextCursor: rows.length > limit && last ? encodeTimeIdCursor(last.created_key, last.id) : null,
  };
}
