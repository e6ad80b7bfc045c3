'use server';

import { z } from 'zod';
import { defineServerAction } from '@/server/server-actions/define-server-action';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { ZStepId } from '@/model/definition/step';
import { listRuns } from '@/server/runs/list-runs';
import { startTestRun, ZStartTestRun } from '@/server/runs/start-test-run';
import { loadPinnedRun, ZLoadPinnedRun } from '@/server/workflows/load-pinned-run';
import { testStep, ZTestStepBody } from '@/server/workflows/test-step';
import { ZVersionNumber } from '@/server/workflows/version-record';

const ZTestStepInput = z.object({ key: ZWorkflowKey, version: ZVersionNumber, stepId: ZStepId, body: ZTestStepBody });

/** The step panel's "Test step": the same server function as POST …/steps/{stepId}/test (SPEC §9). */
export const testStepAction = defineServerAction(
  { permission: 'workflow.write', input: ZTestStepInput },
  ({ db, ctx, input }) => testStep({ db, ctx, input }),
);

/** The toolbar's "Run draft": a test run of the saved draft, outside effects mocked unless switched on. */
export const startTestRunAction = defineServerAction(
  { permission: 'run.start', input: ZStartTestRun },
  ({ db, ctx, input }) => startTestRun({ db, ctx, input }),
);

/** The run pickers of Test step and Pin run: this workflow's latest runs. */
export const listRecentRunsAction = defineServerAction(
  { permission: 'run.read', input: z.object({ key: ZWorkflowKey }) },
  ({ db, ctx, input }) => listRuns({ db, ctx, input: { workflow: input.key, limit: 10 } }),
);

/** "Debug in editor" / "Pin run…": a recorded run's data by step, for the designer to show. */
export const loadPinnedRunAction = defineServerAction(
  { permission: 'run.read', input: ZLoadPinnedRun },
  ({ db, ctx, input }) => loadPinnedRun({ db, ctx, input }),
);
