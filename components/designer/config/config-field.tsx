'use client';

import type { ReactNode } from 'react';
import { controlId, useConfigContext } from '@/components/designer/config/config-context';
import { LiteralControl } from '@/components/designer/config/literal-control';
import { splitExpression, takesExpression, type TSchema } from '@/components/designer/config/schema-kind';
import { SecretSelect } from '@/components/designer/config/secret-select';
import { CodeEditor } from '@/components/designer/expression/code-editor';
import { ExpressionEditor } from '@/components/designer/expression/expression-editor';
import { cx } from '@/components/ui/cx';
import { isExpression, isSecretRef, isTemplate } from '@/model/definition/is-expression';

type TMode = 'literal' | 'expression' | 'template' | 'secret';

export type TConfigFieldProps = {
  /** Relative to the form root, as validation spells paths: `config.input.url`. */
  path: string;
  label: string;
  schema: TSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  required?: boolean;
  /** Every value may be an expression here even when the schema does not say so (action inputs). */
  anyExpression?: boolean;
  /** `{ "$secret": name }` is allowed (action inputs only, SPEC §4.2). */
  secrets?: boolean;
  /** The config field whose scope applies (`collect`, `branches[0].result`), default the path's first config key. */
  scopeField?: string;
  hint?: ReactNode;
};

function modeOf(value: unknown): TMode {
  if (isExpression(value)) return 'expression';
  if (isTemplate(value)) return 'template';
  if (isSecretRef(value)) return 'secret';
  return 'literal';
}

const MODE_LABELS = {
  literal: 'Value',
  expression: 'Expression',
  template: 'Template',
  secret: 'Secret',
} as const satisfies Record<TMode, string>;

/** Literal → expression keeps what was typed as JSONata (`"abc"` is a JSONata string literal too). */
function toExpression(value: unknown): { $expr: string } {
  if (
    value === undefined ||
    value === '' ||
    (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
  )
    return { $expr: '' };
  return { $expr: JSON.stringify(value) };
}

/** Problems at a path, shown under the field. */
export function FieldProblems({ path, id }: { path: string; id?: string }) {
  const { problems } = useConfigContext();
  const here = problems.get(path) ?? [];
  if (here.length === 0) return null;
  return (
    <ul id={id} className="flex flex-col gap-0.5" data-testid="field-problems">
      {here.map((problem, index) => (
        <li key={index} className={cx('text-[13px]', problem.severity === 'error' ? 'text-danger' : 'text-warning')}>
          {problem.message}
        </li>
      ))}
    </ul>
  );
}

/** A labelled field of a generated form: literal, expression or secret, with its problems and focus highlight. */
export function ConfigField({
  path,
  label,
  schema,
  value,
  onChange,
  required = false,
  anyExpression = false,
  secrets = false,
  scopeField,
  hint,
}: TConfigFieldProps) {
  const context = useConfigContext();
  const { literal } = splitExpression(schema);
  const modes: TMode[] = [
    'literal',
    ...(takesExpression(schema) || anyExpression ? (['expression', 'template'] as const) : []),
    ...(secrets ? (['secret'] as const) : []),
  ];
  const mode = modeOf(value);
  const id = controlId(context, path);
  const messageId = `${id}-message`;
  const focused = context.focusPath !== null && context.focusPath === path;
  const hasProblems = (context.problems.get(path) ?? []).length > 0;
  const description = typeof literal.description === 'string' ? literal.description : null;

  const switchTo = (next: TMode) => {
    if (next === mode) return;
    if (next === 'expression') onChange(toExpression(value));
    else if (next === 'template') onChange({ $template: typeof value === 'string' ? value : '' });
    else if (next === 'secret') onChange({ $secret: Object.keys(context.secretRefs)[0] ?? '' });
    else onChange(undefined);
  };

  const field = scopeField ?? path.replace(/^config\./, '');
  return (
    <div
      data-config-path={path}
      className={cx(
        'flex min-w-0 flex-col gap-1.5 rounded-md transition-shadow',
        focused && 'bg-warning-soft/40 ring-2 ring-warning ring-offset-4 ring-offset-surface',
      )}
    >
      <div className="flex min-h-6 flex-wrap items-center justify-between gap-x-3 gap-y-1">
        <label htmlFor={id} id={`${id}-label`} className="text-[13px] font-medium text-ink">
          {label}
          {required ? (
            <span className="ml-0.5 text-danger" aria-label="required">
              *
            </span>
          ) : null}
        </label>
        {modes.length > 1 && !context.readOnly && (
          <div
            role="radiogroup"
            aria-label={`${label}: value kind`}
            className="inline-flex rounded-md border border-line p-0.5"
          >
            {modes.map((option) => (
              <button
                key={option}
                type="button"
                role="radio"
                aria-checked={mode === option}
                onClick={() => switchTo(option)}
                className={cx(
                  'rounded px-1.5 py-0.5 text-[11px] font-medium',
                  mode === option ? 'bg-accent-soft text-accent' : 'text-ink-faint hover:text-ink',
                )}
              >
                {MODE_LABELS[option]}
              </button>
            ))}
          </div>
        )}
      </div>
      {mode === 'expression' && isExpression(value) ? (
        <ExpressionEditor
          id={id}
          value={value.$expr}
          onChange={(source) => onChange({ $expr: source })}
          scope={context.scopeFor(field)}
          readOnly={context.readOnly}
          envValues={context.envValues}
          workflowKey={context.workflowKey}
          describedBy={messageId}
          labelledBy={`${id}-label`}
        />
      ) : mode === 'template' && isTemplate(value) ? (
        <CodeEditor
          id={id}
          language="template"
          value={value.$template}
          onChange={(template) => onChange({ $template: template })}
          readOnly={context.readOnly}
          labelledBy={`${id}-label`}
          describedBy={messageId}
          placeholder="Dear {{ payload.name }}, total {{ $sum(vars.lines.price) }}"
          scope={context.scopeFor(field)}
        />
      ) : mode === 'secret' && isSecretRef(value) ? (
        <SecretSelect id={id} value={value.$secret} onChange={(name) => onChange({ $secret: name })} />
      ) : (
        <LiteralControl
          id={id}
          path={path}
          schema={literal}
          value={value}
          onChange={onChange}
          anyExpression={anyExpression}
          secrets={secrets}
          invalid={hasProblems}
          describedBy={messageId}
        />
      )}
      <div id={messageId}>
        <FieldProblems path={path} />
        {!hasProblems && (hint || description) ? (
          <p className="text-[12px] text-ink-faint">{hint ?? description}</p>
        ) : null}
      </div>
    </div>
  );
}
