import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import { ZWorkflowStatus, type TWorkflowStatus } from '@/server/workflows/workflow-status';

export const ZWorkflowStats = z.object({ runs: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), lastRunAt: z.string().nullable() });

/** A workflow as the API returns it (SPEC §6.1). */
export const ZWorkflowRecord = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  status: ZWorkflowStatus,
  /** The highest published version, or null before the first publish. */
  latestVersion: z.number().int().nullable(),
  /** The version number of the open draft, or null when there is none. */
  draftVersion: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  stats: ZWorkflowStats,
});
export type TWorkflowRecord = z.infer<typeof ZWorkflowRecord>;

export const ZTag = z.string().trim().min(1, 'a tag is empty').max(50, 'at most 50 characters');
/** Tags are trimmed and de-duplicated, keeping their order. */
export const ZTags = z.array(ZTag).max(20, 'at most 20 tags').transform((tags) => [...new Set(tags)]);
export const ZWorkflowName = z.string().trim().min(1, 'give the workflow a name').max(200);
export const ZWorkflowDescription = z.string().max(5000);

/** The workflows of one tenant with their latest published and draft version numbers. */
export function selectWorkflowRows(db: DbOrTx, tenantId: string) {
  return db
    .selectFrom('workflows as w')
    .where('w.tenant_id', '=', tenantId)
    .select(['w.id', 'w.key', 'w.name', 'w.description', 'w.tags', 'w.status', 'w.created_at', 'w.updated_at'])
    .select((eb) => [
      eb.selectFrom('workflow_versions as v').whereRef('v.workflow_id', '=', 'w.id').where('v.status', '=', 'published').select((e) => e.fn.max('v.version').as('m')).as('latest_version'),
      eb.selectFrom('workflow_versions as d').whereRef('d.workflow_id', '=', 'w.id').where('d.status', '=', 'draft').select('d.version').as('draft_version'),
    ]);
}

type TWorkflowRow = {
  key: string;
  name: string;
  description: string;
  tags: string[];
  status: TWorkflowStatus;
  created_at: Date;
  updated_at: Date;
  latest_version: number | null;
  draft_version: number | null;
};

export function toWorkflowRecord(row: TWorkflowRow): TWorkflowRecord {
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    tags: row.tags,
    status: row.status,
    latestVersion: row.latest_version,
    draftVersion: row.draft_version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    // No runs table yet: the runtime issue fills these from runs.
    stats: { runs: 0, succeeded: 0, failed: 0, lastRunAt: null },
  };
}
