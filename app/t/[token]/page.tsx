import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { Workflow } from 'lucide-react';
import { TaskContext } from '@/components/inbox/task-context';
import { TaskLinkMessage } from '@/components/inbox/task-link-message';
import { buttonClasses } from '@/components/ui/button';
import { getDb } from '@/server/db/database';
import { readTaskLink } from '@/server/tasks/task-links';

export const metadata: Metadata = { title: 'Answer a task', robots: { index: false, follow: false } };

/**
 * A one-click email link (SPEC §10): shows the task and the link's outcome with a button that
 * POSTs the answer. Opening it answers nothing (mail scanners open links too); a task whose
 * form asks for more than an outcome opens in the inbox after sign-in instead.
 */
export default async function TaskLinkPage({
  params,
  searchParams,
}: {
  params: Promise<{ token: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await params;
  const { refused } = await searchParams;
  const view = await readTaskLink({ db: getDb(), token });
  if (view.state === 'needs-form') redirect(`/inbox/${view.taskId}`);
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      <div className="w-full max-w-md">
        <div className="mb-6 flex items-center gap-2.5">
          <span className="flex size-8 items-center justify-center rounded-md bg-accent text-accent-ink">
            <Workflow className="size-4.5" aria-hidden />
          </span>
          <span className="text-lg font-semibold tracking-tight">Pipewright</span>
        </div>
        <div className="rounded-lg border border-line bg-surface p-6 shadow-sm" data-task-link={view.state}>
          {view.state === 'invalid' ? (
            <TaskLinkMessage title="This link is not valid">
              It may have been copied incompletely. Open the task from your{' '}
              <Link className="text-accent hover:underline" href="/inbox">
                inbox
              </Link>{' '}
              instead.
            </TaskLinkMessage>
          ) : (
            <>
              <h1 className="text-base font-semibold break-words">{view.title}</h1>
              {view.description && <p className="mt-1 text-sm break-words text-ink-muted">{view.description}</p>}
              {view.context !== null && (
                <div className="mt-4">
                  <TaskContext value={view.context} />
                </div>
              )}
              <div className="mt-5 border-t border-line pt-4">
                {view.state === 'ready' && (
                  <form method="post" action={`/t/${encodeURIComponent(token)}/answer`}>
                    {typeof refused === 'string' && (
                      <p role="alert" className="mb-3 rounded-md bg-danger-soft px-3 py-2 text-sm text-danger">
                        {refused}
                      </p>
                    )}
                    <p className="mb-3 text-sm text-ink-muted">
                      Answer as <span className="text-ink">{view.email}</span>:
                    </p>
                    <button type="submit" className={buttonClasses('primary')} data-confirm-answer>
                      Confirm: {view.outcome}
                    </button>
                  </form>
                )}
                {view.state === 'used' && (
                  <TaskLinkMessage title={`Answered: ${view.outcome}`}>
                    This link was used on {new Date(view.usedAt ?? '').toUTCString()} and answers only once.
                    {view.decided ? ` The task was decided: ${view.decided}.` : ' The task still waits for others.'}
                  </TaskLinkMessage>
                )}
                {view.state === 'closed' && (
                  <TaskLinkMessage title="This task is no longer open">
                    {view.taskStatus === 'completed'
                      ? `It was already decided (${view.decided ?? 'no outcome'}); your answer is not needed.`
                      : `It is ${view.taskStatus}; its links no longer answer it.`}
                  </TaskLinkMessage>
                )}
              </div>
              <Link className={`mt-4 ${buttonClasses('ghost', 'sm')}`} href={`/inbox/${view.taskId}`}>
                Open the task in Pipewright
              </Link>
            </>
          )}
        </div>
      </div>
    </main>
  );
}
