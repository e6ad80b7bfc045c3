'use client';

import { AlertCircle, AlertTriangle } from 'lucide-react';
import { memo } from 'react';
import type { TStep } from '@/model/definition/step';
import { findStep } from '@/components/designer/canvas/definition-edits';
import type { TProblem } from '@/model/definition/problem';

/** Every problem publishing reports, each a button to the step and field it is about. */
export const ProblemsList = memo(function ProblemsList({
  problems,
  steps,
  onPick,
}: {
  problems: TProblem[];
  steps: readonly TStep[];
  onPick: (problem: TProblem) => void;
}) {
  if (problems.length === 0) return null;
  return (
    <ul
      aria-label="Problems"
      className="flex max-h-60 flex-col gap-1 overflow-y-auto rounded-md border border-danger/30 bg-danger-soft p-2"
    >
      {problems.map((problem, index) => {
        const step = problem.stepId ? findStep(steps, problem.stepId) : null;
        const Icon = problem.severity === 'error' ? AlertCircle : AlertTriangle;
        return (
          <li key={`${problem.path}:${index}`}>
            <button
              type="button"
              onClick={() => onPick(problem)}
              className={`flex w-full min-w-0 items-start gap-1.5 text-left text-[13px] hover:underline ${problem.severity === 'error' ? 'text-danger' : 'text-warning'}`}
            >
              <Icon className="mt-0.5 size-3.5 shrink-0" aria-hidden />
              <span className="min-w-0 break-words">
                <strong className="mr-1 font-medium">
                  {step ? step.name?.trim() || step.id : (problem.stepId ?? 'Workflow')}
                </strong>
                <code className="mr-1 font-mono text-[12px] opacity-80">{problem.path}</code>
                {problem.message}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
});
