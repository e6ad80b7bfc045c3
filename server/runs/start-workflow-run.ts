import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { ZRunStatus } from '@/model/run-status';
import { startRun } from '@/server/runtime/start-run';
import { waitForRunEnd } from '@/server/runs/wait-for-run-end';
import { ZWorkflowKey } from '@/model/definition/version-document';

export const DEFAULT_SYNC_WAIT_MS = 10_000;
export const MAX_SYNC_WAIT_MS = 60_000;

export const ZStartWorkflowRunBody = z.object({
  input: z.unknown().optional(),
  /** A published version; the latest when left out. */
  version: z.number().int().min(1).optional(),
  /** A second start with the same key returns the run the first one created. */
  idempotencyKey: z.string().trim().min(1).max(200).optional(),
  mode: z.enum(['async', 'sync']).default('async'),
  /** With mode "sync": how long to wait for the run to finish. */
  waitMs: z.number().int().min(0).max(MAX_SYNC_WAIT_MS).optional(),
});
export const ZStartWorkflowRun = ZStartWorkflowRunBody.extend({ key: ZWorkflowKey });
export type TStartWorkflowRun = z.input<typeof ZStartWorkflowRun>;

export const ZStartedRun = z.object({
  runId: z.string(),
  status: ZRunStatus,
  output: z.unknown().optional(),
  error: z.unknown().optional(),
});
export type TStartedRun = z.infer<typeof ZStartedRun>;

/**
 * Starts a run of a workflow (SPEC §5): the input is checked against the pinned version's
 * parameter schema (422, no run). `sync` waits for the run to finish and returns its output;
 * `finished` tells the route whether to answer 200 or 202.
 */
export async function startWorkflowRun({
  db,
  ctx,
  input,
  via = 'api',
}: {
  db: Db;
  ctx: TAuthContext;
  input: TStartWorkflowRun;
  via?: 'api' | 'manual';
}): Promise<TStartedRun & { finished: boolean }> {
  assertAllowed(ctx, 'run.start');
  const args = ZStartWorkflowRun.parse(input);
  const started = await startRun({
    tenantId: ctx.tenantId,
    workflowKey: args.key,
    version: args.version ?? 'latest',
    input: args.input ?? {},
    trigger: { type: via },
    idempotencyKey: args.idempotencyKey,
    audit: {
      ctx,
      entry: {
        action: 'run.started',
        data: { workflowKey: args.key, version: args.version ?? 'latest', mode: args.mode },
      },
    },
  });
  const status =
    args.mode === 'sync'
      ? await waitForRunEnd({ db, runId: started.runId, timeoutMs: args.waitMs ?? DEFAULT_SYNC_WAIT_MS })
      : ZRunStatus.parse(started.status);
  if (status !== 'SUCCEEDED' && status !== 'FAILED' && status !== 'CANCELED')
    return { runId: started.runId, status, finished: false };
  const run = await db
    .selectFrom('runs')
    .select(['output', 'error'])
    .where('id', '=', started.runId)
    .executeTakeFirstOrThrow();
  return { runId: started.runId, status, output: run.output ?? null, error: run.error ?? null, finished: true };
}
