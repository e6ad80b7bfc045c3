import { JsonView } from '@/components/runs/json-view';
import { outcomeTone, type TOutcomeTone } from '@/components/inbox/outcome-tone';
import { Badge, type TBadgeTone } from '@/components/ui/badge';
import { TimeText } from '@/components/ui/time-text';
import type { TTaskRecord } from '@/server/tasks/task-record';

const BADGE_TONE = { primary: 'success', neutral: 'neutral', danger: 'danger' } as const satisfies Record<
  TOutcomeTone,
  TBadgeTone
>;

/** Who answered a closed task, when, with which outcome and data. */
export function TaskAnswerSummary({ task }: { task: TTaskRecord }) {
  if (task.status !== 'completed') {
    return <p className="text-sm text-ink-muted">This task is {task.status}; it can no longer be answered.</p>;
  }
  return (
    <div className="flex flex-col gap-3 text-sm" data-task-answer>
      <p>
        <Badge tone={task.outcome ? BADGE_TONE[outcomeTone(task.outcome, task.outcomes)] : 'neutral'}>
          {task.outcome ?? 'answered'}
        </Badge>{' '}
        <span className="text-ink">by {task.completedBy ?? 'someone'}</span>{' '}
        <span className="text-ink-muted">
          on <TimeText iso={task.completedAt} withTime />
        </span>
      </p>
      <JsonView value={task.data} />
    </div>
  );
}
