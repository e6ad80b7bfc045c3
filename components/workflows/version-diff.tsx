import { ArrowRight, Minus, Move, Pencil, Plus } from 'lucide-react';
import type { ReactNode } from 'react';
import { Badge } from '@/components/ui/badge';
import type { TVersionDocument } from '@/model/definition/version-document';
import type { TVersionDiff } from '@/server/workflows/diff-versions';
import { findStepTrail, getAtPath } from '@/model/designer/step-tree';

const MAX_SHOWN = 240;

function shown(value: unknown): string {
  if (value === undefined) return '(none)';
  // Nested pipes are compared step by step below; here only their size matters.
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => typeof item === 'object' && item !== null && 'id' in item && 'type' in item)
  )
    return `[${value.length} step${value.length === 1 ? '' : 's'}]`;
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** Before → after of one changed path. */
function Change({ path, before, after }: { path: string; before: unknown; after: unknown }) {
  return (
    <li className="flex flex-col gap-1 py-1.5 sm:flex-row sm:items-baseline sm:gap-3">
      <code className="shrink-0 font-mono text-[12px] text-ink-muted sm:w-56 sm:truncate" title={path}>
        {path || '(whole value)'}
      </code>
      <span className="flex min-w-0 flex-wrap items-baseline gap-1.5 font-mono text-[12px]">
        <del className="rounded bg-danger-soft px-1 break-all text-danger no-underline" aria-label="before">
          {shown(before)}
        </del>
        <ArrowRight className="size-3 shrink-0 self-center text-ink-faint" aria-hidden />
        <ins className="rounded bg-success-soft px-1 break-all text-success no-underline" aria-label="after">
          {shown(after)}
        </ins>
      </span>
    </li>
  );
}

function Group({
  icon,
  title,
  count,
  children,
}: {
  icon: ReactNode;
  title: string;
  count: number;
  children: ReactNode;
}) {
  if (count === 0) return null;
  return (
    <section className="rounded-lg border border-line bg-surface">
      <h3 className="flex items-center gap-2 border-b border-line px-4 py-2 text-sm font-semibold text-ink">
        {icon}
        {title}
        <Badge>{count}</Badge>
      </h3>
      <div className="px-4 py-2">{children}</div>
    </section>
  );
}

function StepLabel({ document, stepId }: { document: TVersionDocument; stepId: string }) {
  const step = findStepTrail(document.steps, stepId)?.step;
  return (
    <span className="min-w-0">
      <span className="font-medium text-ink">{step?.name ?? stepId}</span>{' '}
      <code className="font-mono text-[12px] text-ink-faint">{stepId}</code>
      {step && <span className="ml-1.5 text-[12px] text-ink-faint">{step.type}</span>}
    </span>
  );
}

/** A readable structural diff: workflow fields, then steps added, removed, moved and changed, with values before and after. */
export function VersionDiff({
  diff,
  before,
  after,
}: {
  diff: TVersionDiff;
  before: TVersionDocument;
  after: TVersionDocument;
}) {
  const { steps, workflow } = diff;
  const total = steps.added.length + steps.removed.length + steps.moved.length + steps.changed.length + workflow.length;
  if (total === 0) {
    return (
      <p className="rounded-lg border border-dashed border-line-strong bg-surface px-4 py-6 text-center text-sm text-ink-muted">
        Versions {diff.from} and {diff.to} define the same workflow.
      </p>
    );
  }
  return (
    <div className="flex flex-col gap-3" data-testid="version-diff">
      <Group
        icon={<Pencil className="size-4 text-ink-faint" aria-hidden />}
        title="Workflow settings"
        count={workflow.reduce((n, field) => n + field.paths.length, 0)}
      >
        <ul className="divide-y divide-line">
          {workflow.flatMap((field) =>
            field.paths.map((path) => (
              <Change key={path} path={path} before={getAtPath(before, path)} after={getAtPath(after, path)} />
            )),
          )}
        </ul>
      </Group>
      <Group icon={<Plus className="size-4 text-success" aria-hidden />} title="Steps added" count={steps.added.length}>
        <ul className="flex flex-col gap-1.5">
          {steps.added.map((step) => (
            <li key={step.stepId} className="flex flex-wrap items-baseline gap-2 text-sm">
              <StepLabel document={after} stepId={step.stepId} />
              <code className="font-mono text-[12px] text-ink-faint">at {step.path}</code>
            </li>
          ))}
        </ul>
      </Group>
      <Group
        icon={<Minus className="size-4 text-danger" aria-hidden />}
        title="Steps removed"
        count={steps.removed.length}
      >
        <ul className="flex flex-col gap-1.5">
          {steps.removed.map((step) => (
            <li key={step.stepId} className="flex flex-wrap items-baseline gap-2 text-sm">
              <StepLabel document={before} stepId={step.stepId} />
              <code className="font-mono text-[12px] text-ink-faint">was at {step.path}</code>
            </li>
          ))}
        </ul>
      </Group>
      <Group
        icon={<Move className="size-4 text-ink-faint" aria-hidden />}
        title="Steps moved"
        count={steps.moved.length}
      >
        <ul className="flex flex-col gap-1.5">
          {steps.moved.map((step) => (
            <li key={step.stepId} className="flex flex-wrap items-baseline gap-2 text-sm">
              <StepLabel document={after} stepId={step.stepId} />
              <code className="font-mono text-[12px] break-all text-ink-faint">
                {step.from} → {step.to}
              </code>
            </li>
          ))}
        </ul>
      </Group>
      <Group
        icon={<Pencil className="size-4 text-accent" aria-hidden />}
        title="Steps changed"
        count={steps.changed.length}
      >
        <ul className="flex flex-col gap-3">
          {steps.changed.map((step) => {
            const old = findStepTrail(before.steps, step.stepId)?.step;
            const now = findStepTrail(after.steps, step.stepId)?.step;
            return (
              <li key={step.stepId}>
                <StepLabel document={after} stepId={step.stepId} />
                <ul className="mt-1 divide-y divide-line border-l-2 border-line pl-3">
                  {step.changes.map((path) => (
                    <Change key={path} path={path} before={getAtPath(old, path)} after={getAtPath(now, path)} />
                  ))}
                </ul>
              </li>
            );
          })}
        </ul>
      </Group>
    </div>
  );
}
