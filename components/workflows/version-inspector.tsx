'use client';

import { AlertCircle, Settings2 } from 'lucide-react';
import { useState } from 'react';
import { checkDefinitionAction, saveDraftAction } from '@/app/(app)/workflows/server-actions';
import { StepConfigPanel } from '@/components/designer/config/step-config-panel';
import { WorkflowPanels } from '@/components/designer/config/workflow-panels';
import { useServerAction } from '@/components/forms/use-server-action';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { cx } from '@/components/ui/cx';
import { FormError } from '@/components/ui/field';
import type { TStep } from '@/model/definition/step';
import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { nestedPipes, replaceStep } from '@/model/designer/step-tree';
import type { TProblem } from '@/model/definition/problem';

type TOutlineRow = { step: TStep; depth: number };

function outline(steps: readonly TStep[], depth = 0): TOutlineRow[] {
  return steps.flatMap((step) => [
    { step, depth },
    ...nestedPipes(step).flatMap((pipe) => outline(pipe.steps, depth + 1)),
  ]);
}

/**
 * One version's definition as an outline of its steps beside the step and workflow panels:
 * read-only for a published version, editable (saved explicitly) for the draft. The canvas
 * designer is the main place to edit; this is the plain view of a version, every step and
 * setting one click away.
 */
export function VersionInspector({
  initial,
  revision: initialRevision,
  editable,
  secrets,
  initialProblems,
}: {
  initial: TVersionDocumentInput;
  revision: number;
  editable: boolean;
  secrets: string[];
  initialProblems: TProblem[];
}) {
  const [document, setDocument] = useState(initial);
  const [revision, setRevision] = useState(initialRevision);
  const [dirty, setDirty] = useState(false);
  const [problems, setProblems] = useState(initialProblems);
  const [selected, setSelected] = useState<string | null>(null);
  const [focusPath, setFocusPath] = useState<string | null>(null);
  const save = useServerAction(saveDraftAction);
  const check = useServerAction(checkDefinitionAction);

  const rows = outline((document.steps ?? []) as TStep[]);
  const countFor = (stepId: string | null) =>
    problems.filter((p) => p.stepId === stepId && p.severity === 'error').length;
  const edit = (next: TVersionDocumentInput) => {
    setDocument(next);
    setDirty(true);
  };
  const onSave = () => {
    const { version: _v, status: _s, ...body } = document;
    save.run({ key: document.key, document: body, expectedRevision: revision }, (saved) => {
      setRevision(saved.revision);
      setDirty(false);
      check.run({ document }, (result) => setProblems(result.problems));
    });
  };

  return (
    <div className="flex flex-col gap-4">
      {editable && (
        <div className="flex flex-wrap items-center gap-3">
          <Button variant="primary" onClick={onSave} loading={save.pending} disabled={!dirty}>
            Save draft
          </Button>
          <span className="text-[13px] text-ink-muted" aria-live="polite">
            {dirty ? 'Unsaved changes' : `Saved (revision ${revision})`}
          </span>
          <FormError message={save.error?.message ?? check.error?.message} />
        </div>
      )}
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[16rem_minmax(0,1fr)]">
        <nav
          aria-label="Steps"
          className="flex min-w-0 flex-col gap-0.5 self-start rounded-lg border border-line bg-surface p-2 lg:sticky lg:top-4"
        >
          <button
            type="button"
            onClick={() => setSelected(null)}
            aria-current={selected === null ? 'true' : undefined}
            className={cx(
              'flex items-center gap-2 rounded px-2 py-1.5 text-left text-sm',
              selected === null ? 'bg-accent-soft text-accent' : 'text-ink hover:bg-subtle',
            )}
          >
            <Settings2 className="size-4 shrink-0" aria-hidden />
            <span className="flex-1">Workflow</span>
            {countFor(null) > 0 && <Badge tone="danger">{countFor(null)}</Badge>}
          </button>
          {rows.length === 0 && <p className="px-2 py-1.5 text-[13px] text-ink-faint">No steps yet.</p>}
          {rows.map(({ step, depth }) => (
            <button
              key={step.id}
              type="button"
              onClick={() => {
                setSelected(step.id);
                setFocusPath(null);
              }}
              aria-current={selected === step.id ? 'true' : undefined}
              style={{ paddingLeft: `${0.5 + depth * 0.875}rem` }}
              className={cx(
                'flex min-w-0 items-center gap-2 rounded py-1.5 pr-2 text-left text-sm',
                selected === step.id ? 'bg-accent-soft text-accent' : 'text-ink hover:bg-subtle',
                step.disabled && 'opacity-60',
              )}
            >
              <span className="min-w-0 flex-1 truncate" title={`${step.name ?? step.id} (${step.type})`}>
                {step.name ?? step.id}
              </span>
              {countFor(step.id) > 0 && <Badge tone="danger">{countFor(step.id)}</Badge>}
            </button>
          ))}
        </nav>
        <div className="min-w-0">
          {problems.length > 0 && selected === null && (
            <ul
              aria-label="Problems"
              className="mb-4 flex flex-col gap-1 rounded-md border border-danger/30 bg-danger-soft p-2"
            >
              {problems.map((problem, index) => (
                <li key={index}>
                  <button
                    type="button"
                    className="flex items-start gap-1.5 text-left text-[13px] text-danger hover:underline"
                    onClick={() => {
                      setSelected(problem.stepId);
                      setFocusPath(problem.path);
                    }}
                  >
                    <AlertCircle className="mt-0.5 size-3.5 shrink-0" aria-hidden />
                    <span>
                      <code className="mr-1 font-mono text-[12px]">{problem.stepId ?? problem.path}</code>
                      {problem.message}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {selected === null ? (
            <WorkflowPanels
              definition={document}
              secrets={secrets}
              readOnly={!editable}
              problems={problems.filter((p) => p.stepId === null)}
              onChange={edit}
            />
          ) : (
            <div className="rounded-lg border border-line bg-surface p-4">
              <StepConfigPanel
                definition={document}
                stepId={selected}
                secrets={secrets}
                readOnly={!editable}
                problems={problems.filter((p) => p.stepId === selected)}
                focusPath={focusPath}
                onChange={(step) => {
                  edit({ ...document, steps: replaceStep((document.steps ?? []) as TStep[], selected, step) });
                  if (step.id !== selected) setSelected(step.id);
                }}
              />
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
