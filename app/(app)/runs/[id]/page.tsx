import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { RunView } from '@/components/runs/run-view';
import { RunArtifacts } from '@/components/runs/run-artifacts';
import { listRunArtifacts } from '@/server/artifacts/list-run-artifacts';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { getRun } from '@/server/runs/get-run';
import { listRunEvents, type TRunEventRecord } from '@/server/runs/list-run-events';
import { listRunSteps, type TStepRecord } from '@/server/runs/list-run-steps';
import { getVersion } from '@/server/workflows/get-version';
import { getWorkflow } from '@/server/workflows/get-workflow';

export const metadata: Metadata = { title: 'Run' };

/** One run, live: the page renders what is stored now and the browser follows the SSE stream from there. */
export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageContext(`/runs/${id}`);
  const db = getDb();
  const run = await getRun({ db, ctx, input: { id } }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'NOT_FOUND') notFound();
    throw error;
  });
  const [steps, events, version, workflow, artifacts] = await Promise.all([
    readAllSteps(id, ctx),
    readAllEvents(id, ctx),
    getVersion({ db, ctx, input: { key: run.workflowKey, version: run.version } }).catch(() => null),
    getWorkflow({ db, ctx, input: { key: run.workflowKey } }).catch(() => null),
    listRunArtifacts({ db, ctx, input: { id, limit: 200 } }),
  ]);
  const canOperate = roleAllows(ctx.role, 'run.operate') && (!ctx.roleCap || roleAllows(ctx.roleCap, 'run.operate'));
  return (
    <RunView
      initial={{ run, steps, events }}
      definition={version ? { steps: version.document.steps } : null}
      canOperate={canOperate}
      isAdmin={ctx.role === 'admin'}
      latestVersion={workflow?.latestVersion ?? null}
      renderedAt={Date.now()}
      extra={<RunArtifacts runId={run.id} initial={artifacts.items} initialStatus={run.status} />}
    />
  );
}

/** The whole event log (the API pages it by 1000). */
async function readAllEvents(
  id: string,
  ctx: Awaited<ReturnType<typeof requirePageContext>>,
): Promise<TRunEventRecord[]> {
  const events: TRunEventRecord[] = [];
  for (let after = 0; ;) {
    const page = await listRunEvents({ db: getDb(), ctx, input: { id, after, limit: 1000 } });
    events.push(...page.items);
    if (page.items.length < 1000) return events;
    after = page.nextAfter;
  }
}

/** Every step record (the API pages them by 500 at most): the step tree and graph need them all. */
async function readAllSteps(id: string, ctx: Awaited<ReturnType<typeof requirePageContext>>): Promise<TStepRecord[]> {
  const steps: TStepRecord[] = [];
  for (let cursor: string | undefined; ;) {
    const page = await listRunSteps({ db: getDb(), ctx, input: { id, limit: 500, cursor } });
    steps.push(...page.items);
    if (!page.nextCursor) return steps;
    cursor = page.nextCursor;
  }
}
