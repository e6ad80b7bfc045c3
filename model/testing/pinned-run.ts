import { z } from 'zod';
import { STEP_STATUSES, ZRunStatus } from '@/model/run-status';

/** The envelope a step read on a recorded run (its redacted snapshot, SPEC §5), as "debug in editor" shows it. */
export const ZPinnedEnvelope = z.object({
  payload: z.unknown(),
  vars: z.record(z.unknown()),
  error: z.unknown(),
  meta: z.record(z.unknown()).optional(),
});
export type TPinnedEnvelope = z.infer<typeof ZPinnedEnvelope>;

/** What one step did on the pinned run: the first time it ran (a forEach body runs once per item). */
export const ZPinnedStep = z.object({
  status: z.enum(STEP_STATUSES),
  path: z.string(),
  /** The step's resolved input (its config with expressions evaluated), as recorded. */
  input: z.unknown(),
  output: z.unknown(),
  error: z.unknown(),
  /** The envelope just before the step, or null when the snapshot it comes from was truncated. */
  envelope: ZPinnedEnvelope.nullable(),
  /** How many times the step ran on this run (iterations and attempts). */
  runs: z.number().int(),
});
export type TPinnedStep = z.infer<typeof ZPinnedStep>;

/** A recorded run loaded into the designer ("debug in editor", issue #18): each step's data by step id. */
export const ZPinnedRun = z.object({
  runId: z.string(),
  workflowKey: z.string(),
  version: z.number().int(),
  status: ZRunStatus,
  test: z.boolean(),
  createdAt: z.string(),
  input: z.unknown(),
  steps: z.record(ZPinnedStep),
  /** True when the run had more step events than are read (PINNED_EVENT_LIMIT): later steps are missing. */
  partial: z.boolean(),
});
export type TPinnedRun = z.infer<typeof ZPinnedRun>;
