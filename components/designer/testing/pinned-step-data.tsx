'use client';

import { JsonBlock } from '@/components/designer/testing/json-block';
import { useDesignerTesting, usePinnedStep } from '@/components/designer/testing/testing-context';
import { Badge } from '@/components/ui/badge';

/** In the step panel, with a run pinned: what this step received and produced on that run. */
export function PinnedStepData({ stepId }: { stepId: string }) {
  const testing = useDesignerTesting();
  const step = usePinnedStep(stepId);
  if (!testing?.pinned) return null;
  const runId = testing.pinned.runId.slice(0, 8);
  if (!step) return <p className="text-[13px] text-ink-faint">This step did not run on the pinned run {runId}.</p>;
  return (
    <div className="flex min-w-0 flex-col gap-2" data-testid="pinned-step-data">
      <p className="flex flex-wrap items-center gap-2 text-[13px] text-ink">
        On run <code className="font-mono text-[12px]">{runId}</code>
        <Badge tone={step.status === 'SUCCEEDED' ? 'success' : step.status === 'FAILED' ? 'danger' : 'neutral'}>
          {step.status}
        </Badge>
        {step.runs > 1 && <span className="text-ink-muted">ran {step.runs} times; the first is shown</span>}
      </p>
      <p className="text-xs font-semibold text-ink-faint">Received (envelope before the step)</p>
      {step.envelope ? (
        <JsonBlock value={{ payload: step.envelope.payload, vars: step.envelope.vars }} label="Pinned input envelope" />
      ) : (
        <p className="text-[13px] text-ink-faint">The snapshot before this step was truncated.</p>
      )}
      <p className="text-xs font-semibold text-ink-faint">Produced</p>
      <JsonBlock value={step.output} label="Pinned output" />
      {step.error !== null && <JsonBlock value={step.error} label="Pinned error" />}
    </div>
  );
}
