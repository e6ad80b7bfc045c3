import { z } from 'zod';
import { RUN_STATUSES, STEP_STATUSES } from '@/model/run-status';

/** An event as POST /events would store it; see resolve-waits.ts for how it is delivered. */
export const ZFixtureEvent = z.object({
  event: z.string().min(1),
  correlationKey: z.string().min(1).nullable().default(null),
  payload: z.unknown().default(null),
  /** For `eventsBefore`: how long before the run started the event was received. */
  receivedMsAgo: z.number().int().min(0).default(0),
});
export type TFixtureEvent = z.infer<typeof ZFixtureEvent>;

/** An answer to the open task of a step, as the inbox would submit it. */
export const ZFixtureAnswer = z.object({
  stepId: z.string().min(1),
  outcome: z.string().min(1),
  data: z.record(z.unknown()).default({}),
});
export type TFixtureAnswer = z.infer<typeof ZFixtureAnswer>;

/** What happens from outside while the run waits, applied one at a time. */
export const ZScriptAction = z.union([
  z.object({ deliver: ZFixtureEvent }).strict(),
  z.object({ answer: ZFixtureAnswer }).strict(),
]);
export type TScriptAction = z.infer<typeof ZScriptAction>;

/** `[stepId, status]` or `[stepId, status, attempt]`: one step record. */
const ZStepExpectation = z.union([
  z.tuple([z.string(), z.enum(STEP_STATUSES)]),
  z.tuple([z.string(), z.enum(STEP_STATUSES), z.number().int().min(1)]),
]);

export const ZFixtureExpect = z
  .object({
    status: z.enum(RUN_STATUSES),
    /** Compared exactly (absent: not checked). */
    output: z.unknown().optional(),
    /** Compared as a partial match: the keys given must equal. */
    error: z.record(z.unknown()).nullable().optional(),
    state: z.string().nullable().optional(),
    /** The run's final `vars`, compared as a partial match. */
    vars: z.record(z.unknown()).optional(),
    /**
     * Every step record of the run. `order: "started"` sorts them by started_at (ties in
     * document order); `"document"` ignores time, for concurrent blocks whose interleaving
     * is legitimately nondeterministic.
     */
    steps: z.array(ZStepExpectation).optional(),
    /** For runs with too many records to list: stepId → status → how many records. */
    stepCounts: z.record(z.record(z.enum(STEP_STATUSES), z.number().int().min(0))).optional(),
    order: z.enum(['started', 'document']).default('started'),
    /** Event types: the full log (`"exact"`) or a subsequence of it (`"subsequence"`). */
    events: z.array(z.string()).optional(),
    eventsMatch: z.enum(['exact', 'subsequence']).default('exact'),
    /** Snapshots kept after the step record at `path`, partially matched. */
    snapshots: z
      .array(
        z.object({ path: z.string(), truncated: z.boolean().optional(), snapshot: z.unknown().optional() }).strict(),
      )
      .optional(),
    /** The run's inbox tasks in creation order, partially matched. */
    tasks: z.array(z.record(z.unknown())).optional(),
    /** This tenant's action ledger rows, ordered by completion, partially matched. */
    actionInvocations: z.array(z.record(z.unknown())).optional(),
    /** Child runs in creation order: workflow key, status, output (partial). */
    children: z
      .array(
        z
          .object({
            workflow: z.string(),
            status: z.enum(RUN_STATUSES),
            output: z.unknown().optional(),
            error: z.record(z.unknown()).optional(),
          })
          .strict(),
      )
      .optional(),
    /** Step path → the output of its SUCCEEDED record, compared exactly. */
    stepOutputs: z.record(z.unknown()).optional(),
    /** Step paths whose records completed in this order (first strictly before last). */
    completedOrder: z.array(z.string()).min(2).optional(),
  })
  .strict()
  .refine(
    (want) => want.steps !== undefined || want.stepCounts !== undefined,
    'give steps (or stepCounts for very long runs)',
  );

/**
 * One interpreter fixture (`cases/<name>.json`): workflows in, what the run must have done out.
 *
 * @example
 * {
 *   "description": "event.wait saves the payload of the matching event",
 *   "workflows": { "paid": { "steps": [{ "id": "wait", "type": "event.wait", "config": { "event": "order.paid", "saveAs": "vars.p" } }] } },
 *   "script": [{ "deliver": { "event": "order.paid", "payload": { "amount": 10 } } }],
 *   "expect": { "status": "SUCCEEDED", "vars": { "p": { "amount": 10 } }, "steps": [["wait", "SUCCEEDED", 1]] }
 * }
 */
export const ZFixture = z
  .object({
    description: z.string().min(1),
    /** Key → version document (without key and name). The first is started; the others are its children. */
    workflows: z
      .record(z.record(z.unknown()))
      .refine((workflows) => Object.keys(workflows).length > 0, 'give at least one workflow'),
    input: z.unknown().default({}),
    /** Tenant secrets to create first: name → value. Every value is searched for in what the run stored. */
    secrets: z.record(z.string()).default({}),
    /** Events stored before the run starts (for lookbackMs). */
    eventsBefore: z.array(ZFixtureEvent).default([]),
    /** Runs of the first workflow started and driven to the end before the run under test. */
    priorRuns: z.array(z.object({ input: z.unknown().default({}), status: z.enum(RUN_STATUSES) }).strict()).default([]),
    script: z.array(ZScriptAction).default([]),
    expect: ZFixtureExpect,
  })
  .strict();
export type TFixture = z.infer<typeof ZFixture>;
export type TFixtureExpect = z.infer<typeof ZFixtureExpect>;
