import { Badge, type TBadgeTone } from '@/components/ui/badge';
import type { TRunStatus } from '@/model/run-status';

const TONE = {
  QUEUED: 'neutral',
  RUNNING: 'accent',
  WAITING: 'warning',
  PAUSED: 'neutral',
  SUCCEEDED: 'success',
  FAILED: 'danger',
  CANCELED: 'neutral',
} as const satisfies Record<TRunStatus, TBadgeTone>;

export function RunStatusBadge({ status }: { status: TRunStatus }) {
  return <Badge tone={TONE[status]}>{status.toLowerCase()}</Badge>;
}
