import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';

/** Tokens and cost, as runs carry them (SPEC §11). */
export const ZRunUsage = z.object({
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number(),
});
export type TRunUsage = z.infer<typeof ZRunUsage>;

/**
 * Records one answered LLM call of a run. A dry run ("test a step") has no run row, so it
 * records nothing: the INSERT selects from the run and finds none.
 */
export async function recordLlmUsage({
  db,
  tenantId,
  runId,
  stepPath,
  model,
  inputTokens,
  outputTokens,
  costUsd,
}: {
  db: DbOrTx;
  tenantId: string;
  runId: string;
  stepPath: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}): Promise<void> {
  await sql`INSERT INTO llm_usage (tenant_id, run_id, workflow_key, step_path, model, input_tokens, output_tokens, cost_usd)
    SELECT tenant_id, id, workflow_key, ${stepPath}, ${model}, ${inputTokens}, ${outputTokens}, ${costUsd}
      FROM runs WHERE id = ${runId} AND tenant_id = ${tenantId}`.execute(db);
}

/** A run's usage summed over its own calls and those of its child runs, to any depth. */
export async function getRunUsage({
  db,
  tenantId,
  runId,
}: {
  db: DbOrTx;
  tenantId: string;
  runId: string;
}): Promise<TRunUsage> {
  const { rows } = await sql<{ input_tokens: number; output_tokens: number; cost_usd: number }>`
    WITH RECURSIVE tree AS (
      SELECT id FROM runs WHERE id = ${runId} AND tenant_id = ${tenantId}
      UNION ALL
      SELECT r.id FROM runs r JOIN tree ON r.parent_run_id = tree.id WHERE r.tenant_id = ${tenantId}
    )
    SELECT coalesce(sum(u.input_tokens), 0)::int AS input_tokens,
           coalesce(sum(u.output_tokens), 0)::int AS output_tokens,
           coalesce(sum(u.cost_usd), 0)::float8 AS cost_usd
      FROM llm_usage u JOIN tree ON u.run_id = tree.id
     WHERE u.tenant_id = ${tenantId}`.execute(db);
  const row = rows[0];
  return {
    inputTokens: row?.input_tokens ?? 0,
    outputTokens: row?.output_tokens ?? 0,
    costUsd: Math.round((row?.cost_usd ?? 0) * 1e6) / 1e6,
  };
}

export const ZLlmUsageDay = z.object({
  day: z.string(),
  workflowKey: z.string(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number(),
});
export type TLlmUsageDay = z.infer<typeof ZLlmUsageDay>;

/** Tokens and cost per workflow per UTC day over the last `days` days, newest day first (the Overview). */
export async function listLlmUsageByDay({
  db,
  tenantId,
  days = 7,
}: {
  db: DbOrTx;
  tenantId: string;
  days?: number;
}): Promise<TLlmUsageDay[]> {
  const { rows } = await sql<{
    day: string;
    workflow_key: string;
    input_tokens: number;
    output_tokens: number;
    cost_usd: number;
  }>`
    SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, workflow_key,
           sum(input_tokens)::int AS input_tokens, sum(output_tokens)::int AS output_tokens, sum(cost_usd)::float8 AS cost_usd
      FROM llm_usage
     WHERE tenant_id = ${tenantId} AND created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(days => ${days - 1})
     GROUP BY 1, 2
     ORDER BY 1 DESC, 5 DESC, 2`.execute(db);
  return rows.map((row) => ({
    day: row.day,
    workflowKey: row.workflow_key,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: Math.round(row.cost_usd * 1e6) / 1e6,
  }));
}
