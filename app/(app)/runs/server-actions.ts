'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { bulkOperateRuns, ZBulkOperateRuns } from '@/server/runs/bulk-operate-runs';
import { cancelRun } from '@/server/runs/cancel-run';
import { deleteRun } from '@/server/runs/delete-run';
import { migrateRun, ZMigrateRun } from '@/server/runs/migrate-run';
import { pauseRun } from '@/server/runs/pause-run';
import { rerunRun, ZRerunRun } from '@/server/runs/rerun-run';
import { resumeRun, ZResumeRun } from '@/server/runs/resume-run';
import { getStepSnapshot, ZGetStepSnapshot } from '@/server/runs/get-step-snapshot';
import { retryRun } from '@/server/runs/retry-run';
import { ZRunOperation } from '@/server/runs/run-operation-input';
import { startWorkflowRun, ZStartWorkflowRun } from '@/server/runs/start-workflow-run';

const revalidate = ['/runs'];

/** The run form: a manual start (always async from the browser; the page follows the run live). */
export const startRunAction = defineServerAction(
  { permission: 'run.start', input: ZStartWorkflowRun, revalidate },
  ({ db, ctx, input }) => startWorkflowRun({ db, ctx, input: { ...input, mode: 'async' }, via: 'manual' }),
);

export const pauseRunAction = defineServerAction(
  { permission: 'run.operate', input: ZRunOperation, revalidate },
  ({ db, ctx, input }) => pauseRun({ db, ctx, input }),
);

export const resumeRunAction = defineServerAction(
  { permission: 'run.operate', input: ZResumeRun, revalidate },
  ({ db, ctx, input }) => resumeRun({ db, ctx, input }),
);

export const cancelRunAction = defineServerAction(
  { permission: 'run.operate', input: ZRunOperation, revalidate },
  ({ db, ctx, input }) => cancelRun({ db, ctx, input }),
);

export const retryRunAction = defineServerAction(
  { permission: 'run.operate', input: ZRunOperation, revalidate },
  ({ db, ctx, input }) => retryRun({ db, ctx, input }),
);

export const rerunRunAction = defineServerAction(
  { permission: 'run.operate', input: ZRerunRun, revalidate },
  ({ db, ctx, input }) => rerunRun({ db, ctx, input }),
);

/** The envelope snapshot after one step attempt, fetched when the run page selects that step. */
export const getStepSnapshotAction = defineServerAction(
  { permission: 'run.read', input: ZGetStepSnapshot },
  ({ db, ctx, input }) => getStepSnapshot({ db, ctx, input }),
);

/** Cancel or retry many runs (picked, or all matching the list's filters); `dryRun` counts them for the confirmation. */
export const bulkOperateRunsAction = defineServerAction(
  { permission: 'run.operate', input: ZBulkOperateRuns, revalidate },
  ({ db, ctx, input }) => bulkOperateRuns({ db, ctx, input }),
);

/** Deletes an ended run now (admins), as retention would. */
export const deleteRunAction = defineServerAction(
  { permission: 'run.delete', input: ZRunOperation, revalidate },
  ({ db, ctx, input }) => deleteRun({ db, ctx, input }),
);

/** Moves a waiting or paused run to another published version of its workflow. */
export const migrateRunAction = defineServerAction(
  { permission: 'run.operate', input: ZMigrateRun, revalidate },
  ({ db, ctx, input }) => migrateRun({ db, ctx, input }),
);
