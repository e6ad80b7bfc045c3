import type { Metadata } from 'next';
import { Inbox } from 'lucide-react';
import { InboxFilters } from '@/components/inbox/inbox-filters';
import { InboxTaskList, type TInboxRow } from '@/components/inbox/inbox-task-list';
import { awaitedPeople } from '@/components/inbox/task-progress';
import { EmptyState } from '@/components/ui/empty-state';
import { ListPages } from '@/components/ui/list-pages';
import { PageHeader } from '@/components/ui/page-header';
import { describeTally } from '@/model/tasks/task-quorum';
import { formRequiresInput } from '@/model/tasks/task-form';
import { AppError } from '@/model/errors';
import { requirePageContext } from '@/server/auth/require-page-context';
import { getDb } from '@/server/db/database';
import { describeAssignee } from '@/server/tasks/task-answerer';
import { listTasks, type TListTasks } from '@/server/tasks/list-tasks';
import { actorEmail } from '@/server/tasks/task-record';

export const metadata: Metadata = { title: 'Inbox' };

type TSearch = Record<string, string | string[] | undefined>;
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

/** The filters of the URL as listTasks takes them: mine by default, open, newest first. */
function filtersOf(search: TSearch): TListTasks & { assigned: string } {
  const assigned = one(search.assigned) ?? 'me';
  const status = one(search.status) ?? 'open';
  return {
    assigned,
    assignedTo: assigned === 'anyone' ? undefined : assigned === 'me' ? 'me' : assigned,
    status: status === 'any' ? undefined : (status as TListTasks['status']),
    workflow: one(search.workflow),
    q: one(search.q),
    overdue: one(search.overdue) === 'true' ? true : undefined,
    claimed: one(search.claimed) === 'true' ? true : one(search.claimed) === 'false' ? false : undefined,
    sort: one(search.sort) === 'due' ? 'due' : 'created',
    limit: 200,
    cursor: one(search.cursor),
  };
}

/**
 * The approvals inbox as a work queue: open tasks assigned to me (or anyone, or one person),
 * filtered by workflow, words in the title, claim and due time, newest or soonest due first;
 * each row shows who holds it and what it still needs.
 */
export default async function InboxPage({ searchParams }: { searchParams: Promise<TSearch> }) {
  const ctx = await requirePageContext('/inbox');
  const search = await searchParams;
  const { assigned, ...filters } = filtersOf(search);
  const db = getDb();
  const [email, listed] = await Promise.all([
    actorEmail(db, ctx),
    listTasks({ db, ctx, input: filters }).catch((error: unknown) => {
      // A filter typed by hand that does not parse (e.g. a person who is not an email) lists nothing.
      if (error instanceof AppError && error.code === 'VALIDATION') return null;
      throw error;
    }),
  ]);
  const items = listed?.items ?? [];
  const onLaterPage = filters.cursor !== undefined;
  const now = Date.now();
  return (
    <>
      <PageHeader title="Inbox" description="Approvals and other human tasks assigned to you or your role." />
      <InboxFilters
        values={{
          assigned,
          status: one(search.status) ?? 'open',
          workflow: filters.workflow ?? '',
          q: filters.q ?? '',
          overdue: filters.overdue === true,
          claimed: one(search.claimed) ?? '',
          sort: filters.sort ?? 'created',
        }}
        invalid={listed === null}
      />
      {items.length === 0 ? (
        <EmptyState icon={Inbox} title="Nothing to answer">
          When a run reaches a human task step assigned to you or your role, the task shows up here.
        </EmptyState>
      ) : (
        <InboxTaskList
          now={now}
          rows={items.map((task) => {
            const waiting = awaitedPeople(task);
            return {
              id: task.id,
              runId: task.runId,
              title: task.title,
              workflowKey: task.workflowKey,
              assignee: describeAssignee(task.assignee),
              claimedBy: task.claimedBy === null ? null : task.claimedBy === email ? 'by you' : task.claimedBy,
              progress:
                task.approvals !== null || task.answers.length > 0
                  ? describeTally(task.tally)
                  : task.outcomes.join(' · '),
              progressTitle: waiting.length > 0 ? `Not answered yet: ${waiting.join(', ')}` : null,
              dueAt: task.dueAt,
              open: task.status === 'open',
              outcomes: task.outcomes,
              needsForm: formRequiresInput(task.form),
            } satisfies TInboxRow;
          })}
        />
      )}
      <ListPages
        path="/inbox"
        search={search}
        onLaterPage={onLaterPage}
        nextCursor={listed?.nextCursor ?? null}
        noun="tasks"
      />
    </>
  );
}
