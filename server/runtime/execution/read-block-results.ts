import 'server-only';
import type { Db } from '@/server/db/database';
import { ZRunError, type TRunError } from '@/model/definition/envelope';

/** How a forEach iteration ended: what `collect` gave, or its failure (onItemError continue). */
export type TIterationEnd = { result: unknown } | { failure: TRunError };

const ZFailure = ZRunError.nullable();

/**
 * The stored ends of a forEach block's iterations (run_block_results), by item index: those
 * committed by earlier passes, read back when the block finishes.
 */
export async function readBlockResults({
  db,
  run,
  blockPath,
}: {
  db: Db;
  run: { id: string; tenantId: string };
  blockPath: string;
}): Promise<Map<number, TIterationEnd>> {
  const rows = await db
    .selectFrom('run_block_results')
    .select(['item_index', 'result', 'failure'])
    .where('run_id', '=', run.id)
    .where('tenant_id', '=', run.tenantId)
    .where('block_path', '=', blockPath)
    .execute();
  const ends = new Map<number, TIterationEnd>();
  for (const row of rows) {
    // jsonb read back: checked like any stored state (a `null` failure is a result of null).
    const failure = ZFailure.parse(row.failure ?? null);
    ends.set(row.item_index, failure ? { failure } : { result: row.result ?? null });
  }
  return ends;
}
