'use client';

import { useId } from 'react';
import { fieldMessageId } from '@/components/ui/field';
import { cx } from '@/components/ui/cx';

/** Parses editor text as JSON: the value, or the parser's message. Empty text is `null`. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** A monospace JSON text area that says, as you type, whether the text is valid JSON. */
export function JsonEditor({
  label,
  value,
  onChange,
  rows = 8,
  id,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  rows?: number;
  id?: string;
}) {
  const fallback = useId();
  const inputId = id ?? fallback;
  const parsed = parseJsonText(value);
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={inputId} className="text-[13px] font-medium text-ink">
        {label}
      </label>
      <textarea
        id={inputId}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        rows={rows}
        spellCheck={false}
        aria-invalid={!parsed.ok}
        aria-describedby={fieldMessageId(inputId)}
        className={cx(
          'w-full rounded-md border border-line-strong bg-surface px-3 py-2 font-mono text-[12px] text-ink focus-visible:border-accent',
          !parsed.ok && 'border-danger',
        )}
      />
      <p id={fieldMessageId(inputId)} className={cx('text-[12px]', parsed.ok ? 'text-ink-faint' : 'text-danger')}>
        {parsed.ok ? 'Valid JSON.' : `Not valid JSON: ${parsed.message}`}
      </p>
    </div>
  );
}
