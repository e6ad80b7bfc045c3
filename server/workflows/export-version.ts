import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import type { TVersionDocument } from '@/model/definition/version-document';
import { getVersion, ZGetVersion, type TGetVersion } from '@/server/workflows/get-version';

export const ZExportVersion = ZGetVersion;
export type TExportVersion = TGetVersion;

/** The export file: the version document plus the workflow's `tags`, which live on the workflow, not the version. */
export type TExportedDocument = TVersionDocument & { tags: string[] };

/**
 * A version document as a JSON file to download, with the workflow's tags beside its
 * description so an import (or `pipewright push`) gives them back; a draft is named as one
 * (`<key>-v3-draft.json`), since its number is not a published version yet.
 */
export async function exportVersion({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TExportVersion;
}): Promise<{ filename: string; document: TExportedDocument; json: string }> {
  const { document } = await getVersion({ db, ctx, input });
  const { tags } = await db
    .selectFrom('workflows')
    .select('tags')
    .where('tenant_id', '=', ctx.tenantId)
    .where('key', '=', document.key)
    .executeTakeFirstOrThrow();
  const { key, name, description, ...rest } = document;
  const exported: TExportedDocument = { key, name, description, tags: [...tags], ...rest };
  const suffix = document.status === 'draft' ? '-draft' : '';
  return {
    filename: `${document.key}-v${document.version}${suffix}.json`,
    document: exported,
    json: `${JSON.stringify(exported, null, 2)}\n`,
  };
}
