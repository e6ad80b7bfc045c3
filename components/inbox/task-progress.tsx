import { Badge } from '@/components/ui/badge';
import { TimeText } from '@/components/ui/time-text';
import { describeTally } from '@/model/tasks/task-quorum';
import type { TTaskRecord } from '@/server/tasks/task-record';

/** The people of a listed assignment who have not answered yet. */
export function awaitedPeople(task: Pick<TTaskRecord, 'assignee' | 'answers'>): string[] {
  if (!('users' in task.assignee)) return [];
  const answered = new Set(task.answers.map((answer) => (answer.onBehalfOf ?? answer.by).toLowerCase()));
  return task.assignee.users.filter((user) => !answered.has(user.toLowerCase()));
}

/** A task's answers so far and what it still needs: "2 of 3 approvals · 1 more needed", who answered what. */
export function TaskProgress({ task }: { task: TTaskRecord }) {
  const waiting = task.status === 'open' ? awaitedPeople(task) : [];
  return (
    <div className="flex flex-col gap-3 text-sm" data-task-progress>
      <p className="font-medium" data-testid="task-tally">
        {describeTally(task.tally)}
      </p>
      {task.answers.length > 0 && (
        <ul className="flex flex-col gap-2" aria-label="Answers">
          {task.answers.map((answer) => (
            <li key={`${answer.by}-${answer.at}`} className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <Badge tone={answer.outcome === task.outcomes[0] ? 'success' : 'danger'}>{answer.outcome}</Badge>
              <span className="break-all text-ink">{answer.by}</span>
              {answer.onBehalfOf && <span className="text-ink-muted">on behalf of {answer.onBehalfOf}</span>}
              <span className="text-ink-muted">
                <TimeText iso={answer.at} withTime />
              </span>
            </li>
          ))}
        </ul>
      )}
      {waiting.length > 0 && (
        <p className="text-ink-muted">
          Not answered yet: <span className="break-all text-ink">{waiting.join(', ')}</span>
        </p>
      )}
    </div>
  );
}
