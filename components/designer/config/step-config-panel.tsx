'use client';

import { AlertCircle, AlertTriangle } from 'lucide-react';
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  ConfigContextProvider,
  problemsByPath,
  type TConfigContext,
} from '@/components/designer/config/config-context';
import { StepBehaviourFields, StepIdentityFields } from '@/components/designer/config/step-common-fields';
import { StepConfigForm } from '@/components/designer/config/step-config-form';
import { StepTestingSections } from '@/components/designer/testing/step-testing-sections';
import { useRegistry, type TRegistry } from '@/components/designer/config/use-registry';
import { cx } from '@/components/ui/cx';
import type { TStep } from '@/model/definition/step';
import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { computeExpressionScope, type TOutputSchemas, type TScopeEntry } from '@/model/designer/expression-scope';
import { allStepIds, findStepTrail } from '@/model/designer/step-tree';
import type { TProblem } from '@/model/definition/problem';

export type TStepConfigPanelProps = {
  /** The whole draft (TVersionDocument-shaped). */
  definition: TVersionDocumentInput;
  stepId: string;
  /** The tenant's secret names (never values). */
  secrets: string[];
  readOnly: boolean;
  /** Validation problems of this step, with paths from the document root. */
  problems: TProblem[];
  /** A field to focus and highlight: relative to the step (`config.input.url`) or from the root (`steps[1].config.input.url`). */
  focusPath?: string | null;
  /** The replaced step. Its `id` may differ from `stepId` after a rename: replace the step that had `stepId`. */
  onChange: (step: TStep) => void;
  /** The registry when the page already has it; otherwise it is fetched from /api/v1/registry. */
  registry?: TRegistry;
};

/** Output schemas by node type and action ref, so the field picker can offer nested keys of what steps saved. */
export function outputSchemasOf(registry: TRegistry | null): TOutputSchemas {
  if (!registry) return {};
  return {
    nodes: Object.fromEntries(registry.nodes.map((node) => [node.type, node.outputSchema])),
    actions: Object.fromEntries(registry.actions.map((action) => [action.ref, action.outputSchema])),
  };
}

/** Finds the control for `path` (or its nearest shown parent) inside `root`, scrolls to it and focuses it. */
export function focusField(root: HTMLElement | null, path: string): void {
  if (!root || !path) return;
  let target: Element | null = null;
  for (let candidate = path; candidate && !target; candidate = candidate.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
    target = root.querySelector(`[data-config-path="${CSS.escape(candidate)}"]`);
    if (!/(\.[^.[\]]+|\[\d+\])$/.test(candidate)) break;
  }
  if (!target) return;
  target.scrollIntoView({ block: 'center' });
  const control = target.querySelector<HTMLElement>(
    'input, textarea, button[role="combobox"], select, [tabindex], [contenteditable="true"]',
  );
  control?.focus({ preventScroll: true });
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="flex flex-col gap-4 border-t border-line pt-4 first:border-t-0 first:pt-0">
      <h3 className="text-xs font-semibold tracking-wide text-ink-faint uppercase">{title}</h3>
      {children}
    </section>
  );
}

/**
 * The side panel of one step: a form generated from its type's JSON Schema, its name, id and
 * error handling, and its validation problems, each shown at its field.
 */
export function StepConfigPanel({
  definition,
  stepId,
  secrets,
  readOnly,
  problems,
  focusPath = null,
  onChange,
  registry: givenRegistry,
}: TStepConfigPanelProps) {
  const { registry, error } = useRegistry(givenRegistry);
  const idPrefix = `cfg${useId().replace(/[^A-Za-z0-9]/g, '')}`;
  const root = useRef<HTMLDivElement>(null);
  const steps = useMemo(() => (definition.steps ?? []) as TStep[], [definition.steps]);
  const trail = useMemo(() => findStepTrail(steps, stepId), [steps, stepId]);
  const [clicked, setClicked] = useState<string | null>(null);
  const base = trail?.path ?? '';
  const normalize = (path: string | null) =>
    path && base && path.startsWith(`${base}.`) ? path.slice(base.length + 1) : path === base ? '' : path;
  const focus = normalize(clicked ?? focusPath);

  useEffect(() => setClicked(null), [focusPath, stepId]);
  useEffect(() => {
    if (!focus) return;
    // In a frame callback, not at once: picking a problem in the designer's list also focuses the
    // step's card in a frame callback, scheduled before this one, and the field must end up focused.
    const frame = requestAnimationFrame(() => focusField(root.current, focus));
    return () => cancelAnimationFrame(frame);
  }, [focus, registry]);

  const context = useMemo<TConfigContext>(() => {
    const outputSchemas = outputSchemasOf(registry);
    const cache = new Map<string, TScopeEntry[]>();
    return {
      readOnly,
      problems: problemsByPath(problems, base),
      focusPath: focus,
      scopeFor: (field) => {
        const key = field.split(/[.[]/)[0] ?? field;
        const cacheKey = key === 'collect' || key === 'branches' ? field : key;
        let scope = cache.get(cacheKey);
        if (!scope) {
          scope = computeExpressionScope({ definition, stepId, field, outputSchemas });
          cache.set(cacheKey, scope);
        }
        return scope;
      },
      secretRefs: definition.env?.secrets ?? {},
      envValues: definition.env?.vars ?? {},
      workflowKey: definition.key,
      idPrefix,
    };
  }, [readOnly, problems, base, focus, registry, definition, stepId, idPrefix]);

  if (!trail) return <p className="p-4 text-sm text-ink-muted">This step is no longer in the workflow.</p>;
  const step = trail.step;
  const node = registry?.nodes.find((candidate) => candidate.type === step.type);
  const takenIds = new Set(allStepIds(steps).filter((id) => id !== step.id));
  const referenced =
    secrets.length > 0 ? Object.values(definition.env?.secrets ?? {}).filter((name) => !secrets.includes(name)) : [];

  return (
    <ConfigContextProvider value={context}>
      <div
        ref={root}
        className="flex min-w-0 flex-col gap-5"
        data-testid="step-config-panel"
        aria-label={`Configure ${step.name ?? step.id}`}
        role="form"
      >
        <header className="min-w-0">
          <p className="text-xs text-ink-faint">{node?.title ?? step.type}</p>
          <h2 className="truncate text-base font-semibold text-ink" title={step.name ?? step.id}>
            {step.name ?? step.id}
          </h2>
          {node && <p className="mt-0.5 text-[13px] text-ink-muted">{node.description}</p>}
        </header>
        {problems.length > 0 && (
          <ul
            className="flex flex-col gap-1 rounded-md border border-danger/30 bg-danger-soft p-2"
            aria-label="Problems in this step"
          >
            {problems.map((problem, index) => {
              const relative = normalize(problem.path) ?? '';
              const Icon = problem.severity === 'error' ? AlertCircle : AlertTriangle;
              return (
                <li key={index}>
                  <button
                    type="button"
                    onClick={() => (clicked === relative ? focusField(root.current, relative) : setClicked(relative))}
                    className={cx(
                      'flex w-full items-start gap-1.5 rounded px-1 py-0.5 text-left text-[13px] hover:underline',
                      problem.severity === 'error' ? 'text-danger' : 'text-warning',
                    )}
                  >
                    <Icon className="mt-0.5 size-3.5 shrink-0" aria-hidden />
                    <span className="min-w-0">
                      {relative && <code className="mr-1 font-mono text-[12px] break-all">{relative}</code>}
                      {problem.message}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {referenced.length > 0 && (
          <p className="text-[12px] text-warning">
            env.secrets names tenant secrets that do not exist: {referenced.join(', ')}.
          </p>
        )}
        <Section title="Step">
          <StepIdentityFields step={step} takenIds={takenIds} onChange={onChange} />
        </Section>
        <Section title="Configuration">
          {error && <p className="text-[13px] text-danger">{error}</p>}
          {!registry && !error && <p className="text-[13px] text-ink-faint">Loading the step’s form…</p>}
          {registry && <StepConfigForm step={step} registry={registry} onChange={onChange} />}
        </Section>
        <Section title="When it fails">
          <StepBehaviourFields step={step} onChange={onChange} />
        </Section>
        <StepTestingSections stepId={step.id} />
      </div>
    </ConfigContextProvider>
  );
}
