import { Badge } from '@/components/ui/badge';
import { TimeText } from '@/components/ui/time-text';

/** A task's due time, marked overdue once it has passed (`now` from the server render). */
export function TaskDue({ dueAt, now, open }: { dueAt: string | null; now: number; open: boolean }) {
  if (!dueAt) return <span className="text-ink-muted">—</span>;
  const overdue = open && new Date(dueAt).getTime() < now;
  return (
    <span className="inline-flex flex-wrap items-center gap-x-2 gap-y-1">
      <TimeText iso={dueAt} withTime />
      {overdue && <Badge tone="danger">overdue</Badge>}
    </span>
  );
}
