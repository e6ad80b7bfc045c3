import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import { TRIGGER_TYPES } from '@/model/definition/envelope';
import { ZVersionDocument, type TVersionDocument } from '@/model/definition/version-document';

export const ZTriggerRef = z.object({ type: z.enum(TRIGGER_TYPES), id: z.string().optional() });

// Published versions never change, so a parsed document can be kept for as long as we like.
const cache = new Map<string, TVersionDocument>();

/** The published document a run pinned, parsed once per process. */
export async function loadRunVersion({ db, versionId }: { db: Db; versionId: string }): Promise<TVersionDocument> {
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
