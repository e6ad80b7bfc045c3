'use client';

import { Braces, FlaskConical } from 'lucide-react';
import { useMemo, useRef, useState } from 'react';
import { FieldPicker } from '@/components/designer/expression/field-picker';
import { TryExpression } from '@/components/designer/expression/try-expression';
import { Button } from '@/components/ui/button';
import { cx } from '@/components/ui/cx';
import type { TScopeEntry } from '@/model/designer/expression-scope';
import { parseExpression } from '@/model/designer/parse-expression';
import { insertPickedPath, partialPathAt } from '@/model/designer/insert-path';

type TExpressionEditorProps = {
  id: string;
  value: string;
  onChange: (source: string) => void;
  scope: readonly TScopeEntry[];
  readOnly?: boolean;
  envValues?: Record<string, string>;
  workflowKey: string;
  /** Extra ids the textarea is described by (the field's own messages). */
  describedBy?: string;
  label?: string;
};

/**
 * A JSONata editor: checks the syntax on every keystroke in the browser (parse only, nothing
 * is evaluated here) and points at the error, offers the names readable at this step, and
 * evaluates on the server against sample data ("Try it").
 */
export function ExpressionEditor({
  id,
  value,
  onChange,
  scope,
  readOnly = false,
  envValues = {},
  workflowKey,
  describedBy,
  label,
}: TExpressionEditorProps) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [panel, setPanel] = useState<'none' | 'fields' | 'try'>('none');
  const problem = useMemo(() => parseExpression(value), [value]);
  const errorId = `${id}-syntax`;

  const insert = (path: string) => {
    const element = area.current;
    const start = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? value.length;
    // `vars.` or `vars.sum` typed before the caret is completed, not repeated.
    const { source, caret } = insertPickedPath(value, start, end, path);
    onChange(source);
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(caret, caret);
    });
  };

  const lines = value.split('\n');
  const errorLine = problem ? (lines[problem.line - 1] ?? '') : '';

  return (
    <div className="flex flex-col gap-1.5" data-testid="expression-editor">
      <div className="relative">
        <span
          className="pointer-events-none absolute top-2 left-2 font-mono text-[11px] font-semibold text-accent select-none"
          aria-hidden
        >
          ƒx
        </span>
        <textarea
          ref={area}
          id={id}
          aria-label={label}
          value={value}
          readOnly={readOnly}
          onChange={(event) => onChange(event.target.value)}
          rows={Math.min(8, Math.max(1, lines.length))}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          placeholder="payload.amount > 1000"
          aria-invalid={Boolean(problem) && value !== ''}
          aria-describedby={[problem ? errorId : null, describedBy].filter(Boolean).join(' ') || undefined}
          className={cx(
            // Sized to the text as it wraps (rows only count line breaks), up to a scroll.
            'field-sizing-content max-h-60 min-h-9 w-full resize-y rounded-md border bg-surface py-2 pr-2.5 pl-7 font-mono text-[13px] leading-5 text-ink placeholder:text-ink-faint focus-visible:border-accent',
            problem && value !== '' ? 'border-danger' : 'border-line-strong',
            readOnly && 'opacity-80',
          )}
        />
      </div>
      {problem && (
        <div id={errorId} className="text-[12px] text-danger" data-testid="expression-syntax-error">
          <p>
            Line {problem.line}, column {problem.column}: {problem.message}
          </p>
          {value.trim() !== '' && (
            <pre
              className="mt-1 overflow-x-auto rounded bg-danger-soft px-2 py-1 font-mono text-[12px] leading-4"
              aria-hidden
            >
              {errorLine}
              {'\n'}
              {' '.repeat(Math.max(problem.column - 1, 0))}^
            </pre>
          )}
        </div>
      )}
      {!readOnly && (
        <div className="flex flex-wrap gap-1">
          <Button
            size="sm"
            variant="ghost"
            onClick={() => setPanel(panel === 'fields' ? 'none' : 'fields')}
            aria-expanded={panel === 'fields'}
            aria-controls={`${id}-fields`}
          >
            <Braces className="size-3.5" aria-hidden />
            Insert field
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => setPanel(panel === 'try' ? 'none' : 'try')}
            aria-expanded={panel === 'try'}
            aria-controls={`${id}-try`}
          >
            <FlaskConical className="size-3.5" aria-hidden />
            Try it
          </Button>
        </div>
      )}
      {panel === 'fields' && (
        <div id={`${id}-fields`}>
          <FieldPicker
            id={`${id}-picker`}
            scope={scope}
            onPick={insert}
            initialQuery={partialPathAt(value, area.current?.selectionStart ?? value.length)}
          />
        </div>
      )}
      {panel === 'try' && (
        <div id={`${id}-try`}>
          <TryExpression
            id={`${id}-try`}
            source={value}
            scope={scope}
            envValues={envValues}
            workflowKey={workflowKey}
            disabled={Boolean(problem)}
          />
        </div>
      )}
    </div>
  );
}
