import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import { AppError, type TFieldIssue } from '@/model/errors';
import { validateRunInput } from '@/server/runtime/validate-run-input';

/**
 * What is wrong with a schedule's fixed `input` for the version it will start: the one the
 * trigger names, else the latest published one. Checked when the trigger is created, since a
 * refused input otherwise fails every firing. Without a published version there is nothing to
 * check against yet (the first firing reports it).
 */
export async function scheduleInputProblems({
  db,
  workflowId,
  version,
  input,
}: {
  db: DbOrTx;
  workflowId: string;
  version: number | undefined;
  input: Record<string, unknown> | undefined;
}): Promise<TFieldIssue[]> {
  let query = db
    .selectFrom('workflow_versions')
    .select(['id', 'version', 'document'])
    .where('workflow_id', '=', workflowId)
    .where('status', '=', 'published');
  query = version === undefined ? query.orderBy('version', 'desc') : query.where('version', '=', version);
  const row = await query.limit(1).executeTakeFirst();
  if (!row) return [];
  const schema = (row.document as { parameterSchema?: Record<string, unknown> }).parameterSchema ?? { type: 'object' };
  try {
    validateRunInput({ versionId: row.id, schema, input: input ?? {} });
    return [];
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'VALIDATION') throw error;
    const details = (error.details ?? []) as Array<{ path: string; message: string }>;
    return details.map((detail) => ({
      path: `config.${detail.path}`,
      message: `${detail.message} (the parameter schema of version ${row.version})`,
    }));
  }
}
