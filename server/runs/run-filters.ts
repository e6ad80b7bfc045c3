import 'server-only';
import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { Database } from '@/server/db/schema';
import { ZRunStatus } from '@/model/run-status';

/** Text PostgreSQL can compare: a NUL (`%00` in a URL) is refused there as an error, a 500 here. */
const filterText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((text) => !text.includes('\u0000'), 'must not contain a NUL character');

/** What a runs list can be narrowed to; the same filters select runs for bulk actions and counts. */
export const ZRunFilters = z.object({
  /** A workflow key. */
  workflow: filterText(100).optional(),
  status: ZRunStatus.optional(),
  /** The business state a `state.set` step gave the run. */
  state: filterText(200).optional(),
  /** Created at or after this time. */
  from: z.string().datetime({ offset: true, message: 'an ISO 8601 time' }).optional(),
  /** Created before this time. */
  to: z.string().datetime({ offset: true, message: 'an ISO 8601 time' }).optional(),
  /** A run id, or text found anywhere in the run's input. */
  q: filterText(200).optional(),
  /** `true`: test runs only ("Run draft"); `false`: no test runs. */
  test: z.enum(['true', 'false'], { message: 'true or false' }).optional(),
});
export type TRunFilters = z.infer<typeof ZRunFilters>;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, '\\$&');
}

/**
 * Narrows a query over `runs` (already limited to tenant `tenantId`) by the filters that are set.
 * `q` is asked of the input text index (runTextIds); runTextMatch reads the runs' input instead.
 */
export function applyRunFilters<O>(
  query: SelectQueryBuilder<Database, 'runs', O>,
  { workflow, status, state, from, to, q, test }: TRunFilters,
  tenantId: string,
): SelectQueryBuilder<Database, 'runs', O> {
  let narrowed = query;
  if (workflow) narrowed = narrowed.where('workflow_key', '=', workflow);
  if (status) narrowed = narrowed.where('status', '=', status);
  if (state) narrowed = narrowed.where('state', '=', state);
  if (from) narrowed = narrowed.where('created_at', '>=', new Date(from));
  if (to) narrowed = narrowed.where('created_at', '<', new Date(to));
  if (test) narrowed = narrowed.where('is_test', '=', test === 'true');
  if (q) narrowed = narrowed.where((eb) => eb('id', 'in', runTextIds(eb, { tenantId, q, workflow })));
  return narrowed;
}

const likePattern = (q: string) => `%${escapeLike(q)}%`;

/**
 * The ids of the tenant's runs whose input has `q` (any case), or whose id it is: from
 * `run_input_texts`, written once when a run is inserted, so the text's trigram index is not
 * written again by every later write of the run's row (migration 20270103000000). The text is
 * stored lowered and matched with LIKE against the lowered pattern: ILIKE's own method in a
 * UTF-8 database, without lowering each candidate again when it is rechecked. The workflow
 * key is in that index too (btree_gin); status and state change over a run, so they are not.
 * A run id is a row of its own (`UNION ALL`), not an `OR`, which would test every run the other
 * filters keep against the whole set of matches.
 */
function runTextIds(
  eb: ExpressionBuilder<Database, 'runs'>,
  { tenantId, q, workflow }: { tenantId: string; q: string; workflow: string | undefined },
) {
  let texts = eb
    .selectFrom('run_input_texts as t')
    .select('t.run_id')
    .where('t.tenant_id', '=', tenantId)
    .where(sql<boolean>`t.input_text LIKE lower(${likePattern(q)})`);
  if (workflow) texts = texts.where('t.workflow_key', '=', workflow);
  if (!UUID.test(q)) return texts;
  return texts.unionAll(eb.selectFrom('runs as r').select('r.id as run_id').where('r.id', '=', q));
}

/** `q`: the run's id, or text anywhere in its input (any case); over `id` and `input` of any row source. */
export function runTextMatch(q: string) {
  const text = sql<boolean>`input::text ILIKE ${likePattern(q)}`;
  return UUID.test(q) ? sql<boolean>`(id = ${q}::uuid OR ${text})` : text;
}
