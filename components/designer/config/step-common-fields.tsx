'use client';

import { useState } from 'react';
import { controlId, useConfigContext } from '@/components/designer/config/config-context';
import { ConfigField, FieldProblems } from '@/components/designer/config/config-field';
import type { TSchema } from '@/components/designer/config/schema-kind';
import { Input } from '@/components/ui/input';
import { cx } from '@/components/ui/cx';
import { STEP_ID_PATTERN, type TStep } from '@/model/definition/step';

const NAME: TSchema = { type: 'string', maxLength: 200, description: 'Shown on the step card and in run histories.' };
const DESCRIPTION: TSchema = { type: 'string', maxLength: 2000 };
const ON_ERROR: TSchema = {
  type: 'string',
  enum: ['fail', 'continue'],
  description: 'continue: the error is kept in `error` and the next step runs.',
};
const TIMEOUT: TSchema = { type: 'integer', minimum: 1, description: 'Milliseconds one attempt may take.' };
const DISABLED: TSchema = { type: 'boolean', description: 'A disabled step is skipped when the workflow runs.' };

/** The retry policy (server/workflows/definition/step.ts ZRetryPolicy) as a form. */
export const RETRY_SCHEMA: TSchema = {
  type: 'object',
  properties: {
    maxAttempts: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
    initialDelayMs: { type: 'integer', minimum: 0, default: 1000 },
    backoffCoefficient: { type: 'number', minimum: 1, maximum: 10, default: 2 },
    maxDelayMs: { type: 'integer', minimum: 0, default: 60000 },
    jitter: { type: 'boolean', default: true },
    nonRetryableCodes: { type: 'array', items: { type: 'string' } },
  },
  required: ['maxAttempts'],
};
const DEFAULT_RETRY = {
  maxAttempts: 3,
  initialDelayMs: 1000,
  backoffCoefficient: 2,
  maxDelayMs: 60000,
  jitter: true,
  nonRetryableCodes: [],
};

/**
 * The step id, edited as a draft and written on Enter or when the field is left, and only when
 * it is valid and unique in the whole definition: every reference to the step (selection, run
 * history) uses it, so a half-typed id must never land on the step (typing "compute" over a
 * taken "compute" left the step "comput"). A clash shows while typing; Escape goes back.
 */
function StepIdField({
  step,
  takenIds,
  onChange,
}: {
  step: TStep;
  takenIds: ReadonlySet<string>;
  onChange: (step: TStep) => void;
}) {
  const context = useConfigContext();
  const [draft, setDraft] = useState<string | null>(null);
  const id = controlId(context, 'id');
  const shown = draft ?? step.id;
  const problem =
    draft === null
      ? null
      : !STEP_ID_PATTERN.test(draft)
        ? 'Use 1–64 letters, digits, "_" or "-".'
        : takenIds.has(draft)
          ? `Another step already has the id “${draft}”.`
          : null;
  const commit = () => {
    if (draft !== null && draft !== step.id && problem === null) onChange({ ...step, id: draft });
    setDraft(null);
  };
  return (
    <div
      data-config-path="id"
      className={cx(
        'flex flex-col gap-1.5 rounded-md',
        context.focusPath === 'id' && 'ring-2 ring-warning ring-offset-4 ring-offset-surface',
      )}
    >
      <label htmlFor={id} className="text-[13px] font-medium text-ink">
        Id
      </label>
      <Input
        id={id}
        value={shown}
        readOnly={context.readOnly}
        className="font-mono"
        aria-invalid={Boolean(problem) || undefined}
        aria-describedby={`${id}-message`}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            commit();
          } else if (event.key === 'Escape' && draft !== null) {
            event.preventDefault();
            event.stopPropagation();
            setDraft(null);
          }
        }}
        onBlur={commit}
      />
      <div id={`${id}-message`}>
        {problem ? (
          <p className="text-[13px] text-danger">
            {problem} The step keeps “{step.id}”.
          </p>
        ) : (
          <p className="text-[12px] text-ink-faint">
            Unique in the workflow; runs and problems refer to the step by it.
          </p>
        )}
        <FieldProblems path="id" />
      </div>
    </div>
  );
}

/** Name, id and description: what the step is called. */
export function StepIdentityFields({
  step,
  takenIds,
  onChange,
}: {
  step: TStep;
  takenIds: ReadonlySet<string>;
  onChange: (step: TStep) => void;
}) {
  const set = (key: 'name' | 'description', value: unknown) =>
    onChange({ ...step, [key]: typeof value === 'string' && value !== '' ? value : undefined });
  return (
    <>
      <ConfigField path="name" label="Name" schema={NAME} value={step.name} onChange={(value) => set('name', value)} />
      <StepIdField step={step} takenIds={takenIds} onChange={onChange} />
      <ConfigField
        path="description"
        label="Description"
        schema={DESCRIPTION}
        value={step.description}
        onChange={(value) => set('description', value)}
      />
    </>
  );
}

/** On error, timeout, retries, disabled: how the step behaves when things go wrong. */
export function StepBehaviourFields({ step, onChange }: { step: TStep; onChange: (step: TStep) => void }) {
  const { readOnly } = useConfigContext();
  const retrying = step.retry !== undefined;
  return (
    <>
      <ConfigField
        path="onError"
        label="On error"
        schema={ON_ERROR}
        value={step.onError ?? 'fail'}
        onChange={(value) => onChange({ ...step, onError: value === 'continue' ? 'continue' : 'fail' })}
      />
      <ConfigField
        path="timeoutMs"
        label="Attempt timeout (ms)"
        schema={TIMEOUT}
        value={step.timeoutMs}
        onChange={(value) => onChange({ ...step, timeoutMs: typeof value === 'number' ? value : undefined })}
      />
      <label className="inline-flex items-center gap-2 text-[13px] font-medium text-ink">
        <input
          type="checkbox"
          checked={retrying}
          disabled={readOnly}
          onChange={(event) => onChange({ ...step, retry: event.target.checked ? { ...DEFAULT_RETRY } : undefined })}
          className="size-4 accent-(--color-accent)"
        />
        Retry when it fails
      </label>
      {retrying && (
        <ConfigField
          path="retry"
          label="Retry policy"
          schema={RETRY_SCHEMA}
          value={step.retry}
          onChange={(value) => onChange({ ...step, retry: value as TStep['retry'] })}
        />
      )}
      <ConfigField
        path="disabled"
        label="Disabled"
        schema={DISABLED}
        value={step.disabled ?? false}
        onChange={(value) => onChange({ ...step, disabled: value === true })}
      />
    </>
  );
}
