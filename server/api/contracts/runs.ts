import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZRunDetail } from '@/server/runs/get-run';
import { ZListRunEvents, ZRunEventRecord } from '@/server/runs/list-run-events';
import { ZListRuns } from '@/server/runs/list-runs';
import { ZRunStepsPage, ZStepRecord } from '@/server/runs/list-run-steps';
import { ZRunSnapshotsPage, ZSnapshotRecord } from '@/server/runs/list-run-snapshots';
import { ZMigrateRunBody, ZMigrateRunResult } from '@/server/runs/migrate-run';
import { ZRerunRunBody } from '@/server/runs/rerun-run';
import { ZResumeRunBody } from '@/server/runs/resume-run';
import { ZRunOperationBody, ZRunOperationResult } from '@/server/runs/run-operation-input';
import { ZRunId, ZRunRecord } from '@/server/runs/run-record';
import { ZStartedRun, ZStartWorkflowRunBody } from '@/server/runs/start-workflow-run';
import { ZWorkflowKey } from '@/model/definition/version-document';

const tag = 'Runs';
const ZIdParams = z.object({ id: ZRunId });
const page = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const startWorkflowRunContract = defineContract({
  operationId: 'startWorkflowRun',
  method: 'POST',
  path: '/workflows/{key}/runs',
  summary:
    'Start a run: 202 {runId, status} at once; with mode "sync", 200 with output once it finished within waitMs (default 10 s, max 60 s). 422 with the JSON Schema errors when the input does not fit',
  tag,
  permission: 'run.start',
  params: z.object({ key: ZWorkflowKey }),
  body: ZStartWorkflowRunBody,
  response: ZStartedRun,
  successStatus: 202,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const listRunsContract = defineContract({
  operationId: 'listRuns',
  method: 'GET',
  path: '/runs',
  summary:
    'Runs newest first; filter by workflow (key), status, state, from/to (created), q (run id or text in the input)',
  tag,
  permission: 'run.read',
  query: ZListRuns,
  response: page(ZRunRecord),
});

export const getRunContract = defineContract({
  operationId: 'getRun',
  method: 'GET',
  path: '/runs/{id}',
  summary: 'A run with status, state, input, output, error, version, timings, parent and child runs',
  tag,
  permission: 'run.read',
  params: ZIdParams,
  response: ZRunDetail,
  errors: ['NOT_FOUND'],
});

export const listRunStepsContract = defineContract({
  operationId: 'listRunSteps',
  method: 'GET',
  path: '/runs/{id}/steps',
  summary:
    "A run's step records, one per attempt, in the order they started; `limit` (1–500, default 100) a page, the next from `cursor` = the last page's `nextCursor` (null after the last)",
  tag,
  permission: 'run.read',
  params: ZIdParams,
  query: ZRunStepsPage,
  response: page(ZStepRecord),
  errors: ['NOT_FOUND'],
});

export const listRunEventsContract = defineContract({
  operationId: 'listRunEvents',
  method: 'GET',
  path: '/runs/{id}/events',
  summary:
    'Events after seq `after`. With Accept: text/event-stream, a live SSE stream (id = seq, so Last-Event-ID resumes; ends when the run is finished; a comment every 15 s)',
  tag,
  permission: 'run.read',
  params: ZIdParams,
  query: ZListRunEvents.pick({ after: true, limit: true }),
  response: z.object({ items: z.array(ZRunEventRecord), nextAfter: z.number().int(), runStatus: z.string() }),
  errors: ['NOT_FOUND'],
});

export const listRunSnapshotsContract = defineContract({
  operationId: 'listRunSnapshots',
  method: 'GET',
  path: '/runs/{id}/snapshots',
  summary:
    'The redacted envelope after each step attempt, in step order; `limit` (1–200, default 50) a page, the next from `cursor` = `nextCursor`',
  tag,
  permission: 'run.read',
  params: ZIdParams,
  query: ZRunSnapshotsPage,
  response: page(ZSnapshotRecord),
  errors: ['NOT_FOUND'],
});

const operation = (name: 'cancel' | 'pause' | 'retry', summary: string) =>
  defineContract({
    operationId: `${name}Run`,
    method: 'POST',
    path: `/runs/{id}/${name}`,
    summary,
    tag,
    permission: 'run.operate',
    params: ZIdParams,
    body: ZRunOperationBody.default({}),
    response: ZRunOperationResult,
    errors: ['NOT_FOUND', 'CONFLICT'],
  });

export const cancelRunContract = operation(
  'cancel',
  'Cancel a QUEUED, RUNNING, WAITING or PAUSED run; a run a worker holds is asked to stop (requested: true) and its in-flight action is aborted',
);
export const pauseRunContract = operation(
  'pause',
  'Pause a QUEUED, RUNNING or WAITING run after its current step; a run a worker holds is asked to (requested: true)',
);
export const retryRunContract = operation(
  'retry',
  'Re-execute a FAILED run from the failed step, with the state it had before that step',
);

export const resumeRunContract = defineContract({
  operationId: 'resumeRun',
  method: 'POST',
  path: '/runs/{id}/resume',
  summary:
    'Resume a PAUSED run; admins may resume a WAITING run by resolving its open event or task wait with `payload`',
  tag,
  permission: 'run.operate',
  params: ZIdParams,
  body: ZResumeRunBody.default({}),
  response: ZRunOperationResult,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const rerunRunContract = defineContract({
  operationId: 'rerunRun',
  method: 'POST',
  path: '/runs/{id}/rerun',
  summary: 'Start a new run with the same input (same version unless latest: true) of a finished run',
  tag,
  permission: 'run.operate',
  params: ZIdParams,
  body: ZRerunRunBody.default({}),
  response: z.object({ runId: z.string(), status: z.string(), rerunOf: z.string() }),
  successStatus: 202,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const migrateRunContract = defineContract({
  operationId: 'migrateRun',
  method: 'POST',
  path: '/runs/{id}/migrate',
  summary:
    'Move a WAITING or PAUSED run to another published version of its workflow, carrying its position by step id (or `stepMap: {oldId: newId}`); 409 with `details.problems` listing what cannot be carried',
  tag,
  permission: 'run.operate',
  params: ZIdParams,
  body: ZMigrateRunBody,
  response: ZMigrateRunResult,
  errors: ['NOT_FOUND', 'CONFLICT', 'VALIDATION'],
});
