'use client';

import { usePinnedStep } from '@/components/designer/testing/testing-context';
import { cx } from '@/components/ui/cx';

/** On a step card, with a run pinned: a dot saying how the step ended on that run (or that it did not run). */
export function PinnedCardMark({ stepId }: { stepId: string }) {
  const step = usePinnedStep(stepId);
  const label = step ? `On the pinned run: ${step.status.toLowerCase()}` : null;
  if (!label) return null;
  return (
    <span
      role="img"
      aria-label={label}
      title={label}
      data-testid="pinned-mark"
      className={cx(
        'inline-block size-2 shrink-0 rounded-full',
        step?.status === 'SUCCEEDED' ? 'bg-success' : step?.status === 'FAILED' ? 'bg-danger' : 'bg-warning',
      )}
    />
  );
}
