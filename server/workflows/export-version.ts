import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import type { TVersionDocument } from '@/model/definition/version-document';
import { getVersion, ZGetVersion, type TGetVersion } from '@/server/workflows/get-version';

export const ZExportVersion = ZGetVersion;
export type TExportVersion = TGetVersion;

/** A version document as a JSON file to download; `importWorkflow` reads it back. */
export async function exportVersion({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TExportVersion;
}): Promise<{ filename: string; document: TVersionDocument; json: string }> {
  const { document } = await getVersion({ db, ctx, input });
  return {
    filename: `${document.key}-v${document.version}.json`,
    document,
    json: `${JSON.stringify(document, null, 2)}\n`,
  };
}
