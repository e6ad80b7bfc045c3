import type { Metadata } from 'next';
import { Inbox } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import { requirePageContext } from '@/server/auth/require-page-context';
import { getDb } from '@/server/db/database';
import { listTasks } from '@/server/tasks/list-tasks';

export const metadata: Metadata = { title: 'Inbox' };

/** Open tasks assigned to me or my role. Answering them in the browser is the inbox's own issue; the API answers them today. */
export default async function InboxPage() {
  const ctx = await requirePageContext('/inbox');
  const { items } = await listTasks({ db: getDb(), ctx, input: { status: 'open', mine: true, limit: 100 } });
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
              <TH>Workflow</TH>
              <TH>Outcomes</TH>
              <TH>Created</TH>
              <TH>Due</TH>
            </TR>
          </THead>
          <TBody>
            {items.map((task) => {
              const overdue = task.dueAt !== null && new Date(task.dueAt).getTime() < Date.now();
              return (
                <TR key={task.id}>
                  <TD className="max-w-72">
                    <span className="block truncate font-medium" title={task.title}>
                      {task.title}
                    </span>
                  </TD>
                  <TD className="max-w-48 text-ink-muted">
                    <span className="block truncate">{task.workflowKey}</span>
                  </TD>
                  <TD className="text-ink-muted">{task.outcomes.join(' · ')}</TD>
                  <TD className="text-ink-muted">
                    <TimeText iso={task.createdAt} withTime />
                  </TD>
                  <TD>{task.dueAt ? overdue ? <Badge tone="danger">overdue</Badge> : <TimeText iso={task.dueAt} withTime /> : <span className="text-ink-muted">—</span>}</TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      )}
    </>
  );
}
