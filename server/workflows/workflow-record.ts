import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import { ZRunStatus } from '@/model/run-status';
import { ZWorkflowStatus, type TWorkflowStatus } from '@/server/workflows/workflow-status';

/** Days the run counts look back over (the list shows "runs and success rate over 7 days"). */
export const STATS_WINDOW_DAYS = 7;

/** Runs started in the last STATS_WINDOW_DAYS days, and the latest run ever (its time and status). */
export const ZWorkflowStats = z.object({
  runs: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  lastRunAt: z.string().nullable(),
  lastRunStatus: ZRunStatus.nullable(),
});

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
export const ZTags = z
  .array(ZTag)
  .max(20, 'at most 20 tags')
  .transform((tags) => [...new Set(tags)]);
export const ZWorkflowName = z.string().trim().min(1, 'give the workflow a name').max(200);
export const ZWorkflowDescription = z.string().max(5000);

/**
 * The workflows of one tenant with their latest published and draft version numbers and run
 * stats, in one statement (two lateral lookups per row on runs_workflow_created_idx, no N+1).
 */
export function selectWorkflowRows(db: DbOrTx, tenantId: string) {
  const since = sql<Date>`now() - make_interval(days => ${STATS_WINDOW_DAYS})`;
  return db
    .selectFrom('workflows as w')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('runs as r')
          .whereRef('r.workflow_id', '=', 'w.id')
          .where('r.created_at', '>', since)
          .select([
            sql<string>`count(*)`.as('runs'),
            sql<string>`count(*) FILTER (WHERE r.status = 'SUCCEEDED')`.as('succeeded'),
            sql<string>`count(*) FILTER (WHERE r.status = 'FAILED')`.as('failed'),
          ])
          .as('s'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('runs as l')
          .whereRef('l.workflow_id', '=', 'w.id')
          .select(['l.created_at as last_run_at', 'l.status as last_run_status'])
          .orderBy('l.created_at', 'desc')
          .limit(1)
          .as('l'),
      (join) => join.onTrue(),
    )
    .where('w.tenant_id', '=', tenantId)
    .select(['s.runs', 's.succeeded', 's.failed', 'l.last_run_at', 'l.last_run_status'])
    .select(['w.id', 'w.key', 'w.name', 'w.description', 'w.tags', 'w.status', 'w.created_at', 'w.updated_at'])
    .select((eb) => [
      eb
        .selectFrom('workflow_versions as v')
        .whereRef('v.workflow_id', '=', 'w.id')
        .where('v.status', '=', 'published')
        .select((e) => e.fn.max('v.version').as('m'))
        .as('latest_version'),
      eb
        .selectFrom('workflow_versions as d')
        .whereRef('d.workflow_id', '=', 'w.id')
        .where('d.status', '=', 'draft')
        .select('d.version')
        .as('draft_version'),
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
  runs: string | number | null;
  succeeded: string | number | null;
  failed: string | number | null;
  last_run_at: Date | null;
  last_run_status: string | null;
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
    stats: {
      runs: Number(row.runs ?? 0),
      succeeded: Number(row.succeeded ?? 0),
      failed: Number(row.failed ?? 0),
      lastRunAt: row.last_run_at?.toISOString() ?? null,
      lastRunStatus: ZRunStatus.nullable().parse(row.last_run_status ?? null),
    },
  };
}
