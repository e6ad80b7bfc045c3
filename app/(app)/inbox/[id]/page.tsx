import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { TaskAnswerForm } from '@/components/inbox/task-answer-form';
import { TaskAnswerSummary } from '@/components/inbox/task-answer-summary';
import { TaskDescription } from '@/components/inbox/task-description';
import { TaskDue } from '@/components/inbox/task-due';
import { RunStatusBadge } from '@/components/runs/run-status-badge';
import { JsonView } from '@/components/runs/json-view';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { TimeText } from '@/components/ui/time-text';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { getRun } from '@/server/runs/get-run';
import { getTask } from '@/server/tasks/get-task';
import { actorEmail, effectiveRole, mayAnswer } from '@/server/tasks/task-record';

export const metadata: Metadata = { title: 'Task' };

function notFoundOn(error: unknown): never {
  if (error instanceof AppError && error.code === 'NOT_FOUND') notFound();
  throw error;
}

/** One human task: what it asks, the run it belongs to, and its form with a button per outcome. */
export default async function TaskPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageContext(`/inbox/${id}`);
  const db = getDb();
  const task = await getTask({ db, ctx, input: { id } }).catch(notFoundOn);
  const [run, email] = await Promise.all([
    getRun({ db, ctx, input: { id: task.runId } }).catch(notFoundOn),
    actorEmail(db, ctx),
  ]);
  const mayAct = roleAllows(effectiveRole(ctx), 'task.answer') && mayAnswer(task.assignee, ctx, email);
  const assignedTo = 'user' in task.assignee ? task.assignee.user : `the ${task.assignee.role} role`;
  const now = Date.now();
  return (
    <>
      <div className="mb-2 text-sm">
        <Link href="/inbox" className="text-ink-muted hover:text-ink">
          ← Inbox
        </Link>
      </div>
      <PageHeader
        title={task.title}
        description={
          <>
            Assigned to {assignedTo} · created <TimeText iso={task.createdAt} withTime />
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
        <div className="flex flex-col gap-6">
          {task.description.trim() !== '' && (
            <Card className="p-5">
              <TaskDescription markdown={task.description} />
            </Card>
          )}
          <Card className="p-5">
            <h2 className="mb-4 text-sm font-semibold">{task.status === 'open' ? 'Your answer' : 'Answer'}</h2>
            {task.status !== 'open' ? (
              <TaskAnswerSummary task={task} />
            ) : mayAct ? (
              <TaskAnswerForm taskId={task.id} form={task.form} outcomes={task.outcomes} />
            ) : (
              <p className="text-sm text-ink-muted" role="status">
                This task is assigned to {assignedTo}; you can read it but not answer it.
              </p>
            )}
          </Card>
        </div>
        <aside className="flex flex-col gap-4">
          <Card className="p-5 text-sm">
            <h2 className="mb-3 text-sm font-semibold">Run</h2>
            <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-2">
              <dt className="text-ink-muted">Status</dt>
              <dd>
                <RunStatusBadge status={run.status} />
              </dd>
              <dt className="text-ink-muted">Workflow</dt>
              <dd className="truncate">
                <Link href={`/workflows/${encodeURIComponent(run.workflowKey)}`} className="hover:underline">
                  {run.workflowKey}
                </Link>{' '}
                <span className="text-ink-muted">v{run.version}</span>
              </dd>
              <dt className="text-ink-muted">Step</dt>
              <dd className="truncate font-mono text-[13px]">{task.stepId}</dd>
              <dt className="text-ink-muted">Started</dt>
              <dd>
                <TimeText iso={run.startedAt ?? run.createdAt} withTime />
              </dd>
              <dt className="text-ink-muted">Due</dt>
              <dd>
                <TaskDue dueAt={task.dueAt} now={now} open={task.status === 'open'} />
              </dd>
            </dl>
            <Link href={`/runs/${run.id}`} className="mt-4 inline-block text-accent hover:underline">
              Open the run
            </Link>
          </Card>
          <Card className="p-5">
            <h2 className="mb-3 text-sm font-semibold">Run input</h2>
            <JsonView value={run.input} label="Run input" />
          </Card>
        </aside>
      </div>
    </>
  );
}
