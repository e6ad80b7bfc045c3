'use client';

import { useState } from 'react';
import { INPUT_CLASSES } from '@/components/ui/input';
import { cx } from '@/components/ui/cx';
import type { TJsonSchema } from '@/components/schema-form/json-schema';

type TAria = { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string; 'aria-required'?: true };
type TControlProps = {
  schema: TJsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  readOnly: boolean;
  aria: TAria;
};

const INPUT_TYPE_BY_FORMAT: Record<string, string> = { email: 'email', uri: 'url', url: 'url', date: 'date' };

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** An ISO date-time as the value of a datetime-local input, in the browser's time zone. */
function toLocalInput(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function StringControl({ schema, value, onChange, readOnly, aria }: TControlProps) {
  const text = typeof value === 'string' ? value : '';
  // An emptied field leaves the key out, so "required" names it instead of accepting "".
  const set = (next: string) => onChange(next === '' ? undefined : next);
  if (schema.format === 'date-time') {
    return (
      <input
        {...aria}
        type="datetime-local"
        className={INPUT_CLASSES}
        value={toLocalInput(value)}
        readOnly={readOnly}
        onChange={(e) => {
          const date = new Date(e.target.value);
          onChange(e.target.value === '' || Number.isNaN(date.getTime()) ? undefined : date.toISOString());
        }}
      />
    );
  }
  if ((schema.maxLength ?? 0) > 200) {
    return (
      <textarea
        {...aria}
        className={cx(INPUT_CLASSES, 'h-auto min-h-20 py-2')}
        rows={3}
        value={text}
        readOnly={readOnly}
        maxLength={schema.maxLength}
        onChange={(e) => set(e.target.value)}
      />
    );
  }
  const type = INPUT_TYPE_BY_FORMAT[schema.format ?? ''] ?? 'text';
  const placeholder =
    schema.format === 'uri' || schema.format === 'url'
      ? 'https://'
      : schema.format === 'email'
        ? 'name@example.com'
        : undefined;
  return (
    <input
      {...aria}
      type={type}
      className={INPUT_CLASSES}
      value={text}
      readOnly={readOnly}
      placeholder={placeholder}
      onChange={(e) => set(e.target.value)}
    />
  );
}

/**
 * A number as people type it: `12.5`, `-3`, `1e3`, or with a decimal comma (`12,50`) where that
 * is the habit; null for anything else. Grouping separators are not guessed at (`1,234` is
 * refused rather than read as 1.234).
 */
export function parseNumberText(text: string): number | null {
  const normalized = /^[-+]?\d+,\d+$/.test(text) && !/^[-+]?\d{1,3},\d{3}$/.test(text) ? text.replace(',', '.') : text;
  if (normalized === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(normalized)) return null;
  const parsed = Number(normalized);
  return Number.isFinite(parsed) ? parsed : null;
}

export function NumberControl({
  schema,
  value,
  onChange,
  readOnly,
  aria,
  integer,
}: TControlProps & { integer: boolean }) {
  // The typed text is kept while it is not a number yet ("-", "1e"), so typing is never undone;
  // text that is not a number stays after leaving the field too, beside its error.
  const [draft, setDraft] = useState<string | null>(null);
  const shown = draft ?? (typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '');
  return (
    <input
      {...aria}
      type="text"
      inputMode={integer ? 'numeric' : 'decimal'}
      className={INPUT_CLASSES}
      value={shown}
      readOnly={readOnly}
      onChange={(e) => {
        const text = e.target.value.trim();
        const parsed = parseNumberText(text);
        if (text === '') {
          setDraft(null);
          onChange(undefined);
        } else if (parsed !== null) {
          setDraft(e.target.value);
          onChange(parsed);
        } else {
          // Not a number: the raw text goes into the value so validation names the problem.
          setDraft(e.target.value);
          onChange(e.target.value);
        }
      }}
      onBlur={() => setDraft(null)}
      placeholder={
        schema.minimum !== undefined && schema.maximum !== undefined ? `${schema.minimum}–${schema.maximum}` : undefined
      }
    />
  );
}

export function EnumControl({
  schema,
  value,
  onChange,
  readOnly,
  aria,
  required,
}: TControlProps & { required: boolean }) {
  const options = schema.enum ?? [];
  const index = options.findIndex((option) => option === value);
  return (
    <select
      {...aria}
      className={cx(INPUT_CLASSES, 'pr-8')}
      value={index === -1 ? '' : String(index)}
      disabled={readOnly}
      onChange={(e) => onChange(e.target.value === '' ? undefined : options[Number(e.target.value)])}
    >
      {(index === -1 || !required) && <option value="">{required ? 'Choose…' : '(none)'}</option>}
      {options.map((option, i) => (
        <option key={String(option)} value={String(i)}>
          {String(option)}
        </option>
      ))}
    </select>
  );
}

/** For schemas the form has no control for (oneOf, $ref, no type): the value as JSON text. */
export function JsonControl({ value, onChange, readOnly, aria }: TControlProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const shown = draft ?? (value === undefined ? '' : JSON.stringify(value, null, 2));
  return (
    <>
      <textarea
        {...aria}
        className={cx(INPUT_CLASSES, 'h-auto min-h-20 py-2 font-mono text-[13px]')}
        rows={4}
        value={shown}
        readOnly={readOnly}
        spellCheck={false}
        onChange={(e) => {
          setDraft(e.target.value);
          if (e.target.value.trim() === '') {
            setProblem(null);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setProblem(null);
          } catch (error) {
            setProblem(`Not valid JSON: ${(error as Error).message}`);
          }
        }}
        onBlur={() => {
          if (!problem) setDraft(null);
        }}
      />
      {problem && <p className="text-[13px] text-danger">{problem}</p>}
      <p className="text-[13px] text-ink-faint">Enter JSON.</p>
    </>
  );
}
