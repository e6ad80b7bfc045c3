'use client';

import { Braces, FlaskConical } from 'lucide-react';
import { useMemo, useRef, useState } from 'react';
import { CodeEditor, type TCodeEditorHandle } from '@/components/designer/expression/code-editor';
import { FieldPicker } from '@/components/designer/expression/field-picker';
import { TryExpression } from '@/components/designer/expression/try-expression';
import { Button } from '@/components/ui/button';
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
  /** Extra ids the editor is described by (the field's own messages). */
  describedBy?: string;
  /** The id of the field's visible label. */
  labelledBy?: string;
  label?: string;
};

/**
 * A JSONata editor (CodeMirror): highlighting, bracket matching, the parse error underlined
 * where it is and spelled out below (parse only, nothing is evaluated in the browser),
 * completion of the paths readable at this step with their types and of JSONata's functions,
 * a field picker, and "Try it", which evaluates on the server against sample data.
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
  labelledBy,
  label,
}: TExpressionEditorProps) {
  const editor = useRef<TCodeEditorHandle | null>(null);
  const [panel, setPanel] = useState<'none' | 'fields' | 'try'>('none');
  const problem = useMemo(() => parseExpression(value), [value]);
  const errorId = `${id}-syntax`;

  const insert = (path: string) => {
    const { from, to } = editor.current?.selection() ?? { from: value.length, to: value.length };
    // `vars.` or `vars.sum` typed before the caret is completed, not repeated.
    const { source, caret } = insertPickedPath(value, from, to, path);
    onChange(source);
    requestAnimationFrame(() => editor.current?.focusAt(caret));
  };

  const invalid = Boolean(problem) && value !== '';

  return (
    <div className="flex min-w-0 flex-col gap-1.5" data-testid="expression-editor">
      <CodeEditor
        id={id}
        language="jsonata"
        value={value}
        onChange={onChange}
        labelledBy={labelledBy}
        label={label}
        readOnly={readOnly}
        placeholder="payload.amount > 1000"
        invalid={invalid}
        describedBy={[problem ? errorId : null, describedBy].filter(Boolean).join(' ') || undefined}
        scope={scope}
        handle={editor}
      />
      {problem && (
        <div id={errorId} className="text-[12px] text-danger" data-testid="expression-syntax-error">
          <p>
            Line {problem.line}, column {problem.column}: {problem.message}
          </p>
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
            initialQuery={partialPathAt(value, editor.current?.selection().from ?? value.length)}
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
