import type { Metadata } from 'next';
import { Inbox } from 'lucide-react';
import Link from 'next/link';
import { TaskDue } from '@/components/inbox/task-due';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import { requirePageContext } from '@/server/auth/require-page-context';
import { getDb } from '@/server/db/database';
import { listTasks } from '@/server/tasks/list-tasks';

export const metadata: Metadata = { title: 'Inbox' };

/** Open tasks assigned to me or my role, newest first; each opens its task page, and its workflow cell the run. */
export default async function InboxPage() {
  const ctx = await requirePageContext('/inbox');
  const { items } = await listTasks({ db: getDb(), ctx, input: { status: 'open', mine: true, limit: 100 } });
  const now = Date.now();
  return (
    <>
      <PageHeader title="Inbox" description="Approvals and other human tasks assigned to you or your role." />
      {items.length === 0 ? (
        <EmptyState icon={Inbox} title="Nothing to answer">
          When a run reaches a human task step assigned to you or your role, the task shows up here.
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <TR>
              <TH>Task</TH>
              <TH>Run</TH>
              <TH>Outcomes</TH>
              <TH>Created</TH>
              <TH>Due</TH>
            </TR>
          </THead>
          <TBody>
            {items.map((task) => {
              return (
                <TR key={task.id}>
                  <TD className="max-w-72">
                    <Link
                      href={`/inbox/${task.id}`}
                      className="block truncate font-medium text-ink hover:underline"
                      title={task.title}
                    >
                      {task.title}
                    </Link>
                  </TD>
                  <TD className="max-w-48 text-ink-muted">
                    <Link
                      href={`/runs/${task.runId}`}
                      className="block truncate hover:underline"
                      title={`Run of ${task.workflowKey}`}
                    >
                      {task.workflowKey}
                    </Link>
                  </TD>
                  <TD className="text-ink-muted">{task.outcomes.join(' · ')}</TD>
                  <TD className="text-ink-muted">
                    <TimeText iso={task.createdAt} withTime />
                  </TD>
                  <TD>
                    <TaskDue dueAt={task.dueAt} now={now} open />
                  </TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      )}
    </>
  );
}
