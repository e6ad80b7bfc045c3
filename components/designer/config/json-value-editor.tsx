'use client';

import { useState } from 'react';
import { CodeEditor } from '@/components/designer/expression/code-editor';
import { cx } from '@/components/ui/cx';

/** JSON.parse as a result instead of an exception. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (thrown) {
    if (thrown instanceof SyntaxError) return { ok: false, message: thrown.message };
    throw thrown;
  }
}

function show(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

/**
 * Any JSON value, typed as JSON. The text is kept locally while it does not parse (and the
 * mistake is shown); only valid JSON reaches the definition, so nothing stored is lost.
 */
export function JsonValueEditor({
  id,
  value,
  onChange,
  readOnly,
  invalid = false,
  describedBy,
  rows,
  label,
  code = false,
}: {
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  readOnly: boolean;
  invalid?: boolean;
  describedBy?: string;
  rows?: number;
  label?: string;
  /** Edit in the JSON code editor (highlighting, the parse error underlined) instead of a textarea. */
  code?: boolean;
}) {
  const [text, setText] = useState(() => show(value));
  const [seen, setSeen] = useState(value);
  const [error, setError] = useState<string | null>(null);
  // A change from outside (undo, another field) replaces the text, unless it is what we sent.
  if (seen !== value) {
    setSeen(value);
    // Local text that is mid-edit (not JSON) loses to the outside value.
    const local = parseJson(text);
    const same = text.trim() !== '' && local.ok && JSON.stringify(local.value) === JSON.stringify(value);
    if (!same) {
      setText(show(value));
      setError(null);
    }
  }
  const edit = (next: string) => {
    setText(next);
    if (next.trim() === '') {
      setError(null);
      onChange(undefined);
      return;
    }
    const parsed = parseJson(next);
    if (!parsed.ok) {
      setError(parsed.message);
      return;
    }
    setError(null);
    setSeen(parsed.value);
    onChange(parsed.value);
  };
  const errorId = `${id}-json-error`;
  return (
    <div className="flex min-w-0 flex-col gap-1">
      {code ? (
        <CodeEditor
          id={id}
          language="json"
          value={text}
          onChange={edit}
          readOnly={readOnly}
          label={label}
          invalid={invalid || Boolean(error)}
          describedBy={[error ? errorId : null, describedBy].filter(Boolean).join(' ') || undefined}
        />
      ) : (
        <textarea
          id={id}
          aria-label={label}
          value={text}
          onChange={(event) => edit(event.target.value)}
          readOnly={readOnly}
          rows={rows ?? Math.min(10, Math.max(2, text.split('\n').length))}
          spellCheck={false}
          placeholder='"text", 42, true, {"key": "value"}'
          aria-invalid={invalid || Boolean(error) || undefined}
          aria-describedby={[error ? errorId : null, describedBy].filter(Boolean).join(' ') || undefined}
          className={cx(
            'w-full resize-y rounded-md border bg-surface px-2.5 py-2 font-mono text-[12px] leading-5 text-ink placeholder:text-ink-faint focus-visible:border-accent',
            error || invalid ? 'border-danger' : 'border-line-strong',
          )}
        />
      )}
      {error && (
        <p id={errorId} className="text-[12px] text-danger">
          Not valid JSON yet ({error}); the last valid value is kept.
        </p>
      )}
    </div>
  );
}
