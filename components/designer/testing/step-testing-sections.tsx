'use client';

import { PinnedStepData } from '@/components/designer/testing/pinned-step-data';
import { TestStepSection } from '@/components/designer/testing/test-step-section';
import { useDesignerTesting } from '@/components/designer/testing/testing-context';

/** The step panel's testing part: the pinned run's data for this step, and Test step. */
export function StepTestingSections({ stepId }: { stepId: string }) {
  const testing = useDesignerTesting();
  if (!testing) return null;
  return (
    <>
      {testing.pinned && (
        <section className="flex flex-col gap-4 border-t border-line pt-4">
          <h3 className="text-xs font-semibold tracking-wide text-ink-faint uppercase">Pinned run</h3>
          <PinnedStepData stepId={stepId} />
        </section>
      )}
      {!testing.readOnly && (
        <section className="flex flex-col gap-4 border-t border-line pt-4">
          <h3 className="text-xs font-semibold tracking-wide text-ink-faint uppercase">Test</h3>
          <TestStepSection key={stepId} stepId={stepId} />
        </section>
      )}
    </>
  );
}
