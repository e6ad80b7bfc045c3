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
import { actorEmail, delegatorFor, effectiveRole, mayAnswer } from '@/server/tasks/task-record';
import { delegatorsOf } from '@/server/tasks/task-delegation';
import { describeAssignee, SELF_APPROVAL_MESSAGE, startedTheRun } from '@/server/tasks/task-answerer';
import { listTaskComments } from '@/server/tasks/task-comments';
import { TaskClaimControls } from '@/components/inbox/task-claim-controls';
import { TaskComments } from '@/components/inbox/task-comments';
import { TaskContext } from '@/components/inbox/task-context';
import { TaskProgress } from '@/components/inbox/task-progress';

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
  const [run, email, comments, selfStarted] = await Promise.all([
    getRun({ db, ctx, input: { id: task.runId } }).catch(notFoundOn),
    actorEmail(db, ctx),
    listTaskComments({ db, ctx, input: { id } }),
    task.allowSelfApproval ? false : startedTheRun(db, ctx, task.runId),
  ]);
  const role = effectiveRole(ctx);
  const isAdmin = role === 'admin';
  const onBehalfOf = mayAnswer(task.assignee, ctx, email)
    ? null
    : delegatorFor(task.assignee, await delegatorsOf(db, ctx.tenantId, email));
  const mayAct = roleAllows(role, 'task.answer') && (mayAnswer(task.assignee, ctx, email) || onBehalfOf !== null);
  const assignedTo = describeAssignee(task.assignee);
  const me = onBehalfOf ?? email;
  const myAnswer = me
    ? task.answers.find((answer) => (answer.onBehalfOf ?? answer.by).toLowerCase() === me)
    : undefined;
  const claimedByOther = task.claimedBy !== null && task.claimedBy !== email && !isAdmin;
  const open = task.status === 'open';
  const quorum = task.approvals !== null || task.answers.length > 1;
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
            Assigned to {assignedTo}
            {task.claimedBy && <> · claimed by {task.claimedBy}</>} · created <TimeText iso={task.createdAt} withTime />
          </>
        }
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
        <div className="flex min-w-0 flex-col gap-6">
          {task.description.trim() !== '' && (
            <Card className="p-5">
              <TaskDescription markdown={task.description} />
            </Card>
          )}
          {task.context !== null && (
            <Card className="p-5">
              <h2 className="mb-3 text-sm font-semibold">Context</h2>
              <TaskContext value={task.context} />
            </Card>
          )}
          {quorum && (
            <Card className="p-5">
              <h2 className="mb-3 text-sm font-semibold">Approvals</h2>
              <TaskProgress task={task} />
            </Card>
          )}
          <Card className="p-5">
            <h2 className="mb-4 text-sm font-semibold">{open ? 'Your answer' : 'Answer'}</h2>
            {!open ? (
              <TaskAnswerSummary task={task} />
            ) : !mayAct ? (
              <p className="text-sm text-ink-muted" role="status">
                This task is assigned to {assignedTo}; you can read it but not answer it.
              </p>
            ) : myAnswer ? (
              <p className="text-sm text-ink-muted" role="status" data-testid="my-answer">
                You answered <span className="font-medium text-ink">{myAnswer.outcome}</span>; the task waits for the
                other answers it needs.
              </p>
            ) : selfStarted ? (
              <p className="text-sm text-danger" role="status" data-testid="self-approval">
                {SELF_APPROVAL_MESSAGE}
              </p>
            ) : claimedByOther ? (
              <p className="text-sm text-ink-muted" role="status">
                {task.claimedBy} claimed this task; only they (or an admin) can answer it.
              </p>
            ) : (
              <>
                {onBehalfOf && (
                  <p className="mb-4 text-sm text-ink-muted" data-testid="on-behalf-of">
                    You answer on behalf of <span className="font-medium text-ink">{onBehalfOf}</span>, who delegated
                    their tasks to you.
                  </p>
                )}
                <TaskAnswerForm taskId={task.id} form={task.form} outcomes={task.outcomes} />
              </>
            )}
          </Card>
          <Card className="p-5">
            <h2 className="mb-3 text-sm font-semibold">Comments</h2>
            <TaskComments taskId={task.id} comments={comments.items} canComment={roleAllows(role, 'task.answer')} />
          </Card>
        </div>
        <aside className="flex min-w-0 flex-col gap-4">
          {open && roleAllows(role, 'task.answer') && (mayAct || task.claimedBy) && (
            <Card className="p-5">
              <h2 className="mb-3 text-sm font-semibold">Claim</h2>
              <TaskClaimControls
                taskId={task.id}
                claimedBy={task.claimedBy}
                me={email}
                canClaim={mayAct && task.tally.required <= 1 && email !== null}
                canRelease={task.claimedBy !== null && (task.claimedBy === email || isAdmin)}
                canReassign={mayAct && !claimedByOther}
              />
            </Card>
          )}
          <Card className="p-5 text-sm">
            <h2 className="mb-3 text-sm font-semibold">Run</h2>
            <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-2">
              <dt className="text-ink-muted">Status</dt>
              <dd>
                <RunStatusBadge status={run.status} />
              </dd>
              <dt className="text-ink-muted">Workflow</dt>
              <dd className="truncate" title={`${run.workflowKey} v${run.version}`}>
                <Link href={`/workflows/${encodeURIComponent(run.workflowKey)}`} className="hover:underline">
                  {run.workflowKey}
                </Link>{' '}
                <span className="text-ink-muted">v{run.version}</span>
              </dd>
              <dt className="text-ink-muted">Step</dt>
              <dd className="truncate font-mono text-[13px]" title={task.stepId}>
                {task.stepId}
              </dd>
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
