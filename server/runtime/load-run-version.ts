import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import { TRIGGER_TYPES } from '@/model/definition/envelope';
import { ZVersionDocument, type TVersionDocument } from '@/model/definition/version-document';

export const ZTriggerRef = z.object({ type: z.enum(TRIGGER_TYPES), id: z.string().optional() });

// Published versions never change, so a parsed document can be kept for as long as we like.
const cache = new Map<string, TVersionDocument>();

/** The published document a run pinned, parsed once per process. */
export async function loadRunVersion({ db, versionId }: { db: DbOrTx; versionId: string }): Promise<TVersionDocument> {
  const cached = cache.get(versionId);
  if (cached) return cached;
  const row = await db
    .selectFrom('workflow_versions')
    .select('document')
    .where('id', '=', versionId)
    .executeTakeFirstOrThrow();
  const document = ZVersionDocument.parse(row.document);
  if (cache.size > 1000) cache.clear();
  cache.set(versionId, document);
  return document;
}

/**
 * The document a run interprets: a test run's own snapshot of the draft it was started from
 * (drafts change with every save; the run must not), else its pinned published version.
 */
export async function loadRunDocument({
  db,
  run,
}: {
  db: DbOrTx;
  run: { version_id: string; test_document: unknown };
}): Promise<TVersionDocument> {
  if (run.test_document !== null && run.test_document !== undefined) return ZVersionDocument.parse(run.test_document);
  return loadRunVersion({ db, versionId: run.version_id });
}
