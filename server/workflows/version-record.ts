import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import { AppError } from '@/model/errors';
import {
  VERSION_STATUSES,
  ZVersionDocument,
  type TVersionDocument,
  type TVersionStatus,
} from '@/model/definition/version-document';

/** A version in the list of versions: everything but the document. */
export const ZVersionSummary = z.object({
  version: z.number().int(),
  status: z.enum(VERSION_STATUSES),
  /** Increments on every draft save; a save names the revision it edited. */
  revision: z.number().int(),
  nodeTypes: z.array(z.string()),
  actions: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
  publishedBy: z.string().nullable(),
});
export type TVersionSummary = z.infer<typeof ZVersionSummary>;

export type TVersionRow = {
  id: string;
  version: number;
  status: TVersionStatus;
  document: unknown;
  node_types: string[];
  actions: string[];
  revision: number;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
  published_by: string | null;
};

export function toVersionSummary(row: TVersionRow): TVersionSummary {
  return {
    version: row.version,
    status: row.status,
    revision: row.revision,
    nodeTypes: row.node_types,
    actions: row.actions,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    publishedAt: row.published_at?.toISOString() ?? null,
    publishedBy: row.published_by,
  };
}

/** The stored document, parsed again (JSONB is a trust boundary) with its `version` and `status` filled from the row. */
export function readStoredDocument(row: Pick<TVersionRow, 'document' | 'version' | 'status'>): TVersionDocument {
  const parsed = ZVersionDocument.safeParse(row.document);
  if (!parsed.success)
    throw new AppError('INTERNAL', `Stored version ${row.version} no longer matches the document schema.`);
  return { ...parsed.data, version: row.version, status: row.status };
}

/** What is stored: the document without `version` and `status`, which live in columns and must not disagree with them. */
export function toStoredDocument(document: TVersionDocument): string {
  const { version: _version, status: _status, ...rest } = document;
  return JSON.stringify(rest);
}

/** One version of a workflow, or NOT_FOUND. `lock` holds it for the transaction. */
export async function findVersion({
  db,
  workflowId,
  key,
  version,
  lock = false,
}: {
  db: DbOrTx;
  workflowId: string;
  key: string;
  version: number;
  lock?: boolean;
}): Promise<TVersionRow> {
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
    .where('workflow_id', '=', workflowId)
    .where('version', '=', version);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `Workflow "${key}" has no version ${version}.`);
  return row;
}

export const ZVersionNumber = z.coerce.number().int('a version is a whole number').min(1).max(2_147_483_647);
