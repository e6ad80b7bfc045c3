'use client';

import type { ReactNode } from 'react';
import { Field, fieldMessageId } from '@/components/ui/field';
import { Input, INPUT_CLASSES } from '@/components/ui/input';
import { cx } from '@/components/ui/cx';

type TTriggerTextFieldProps = {
  id: string;
  label: string;
  error?: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  mono?: boolean;
  optional?: boolean;
  autoFocus?: boolean;
  placeholder?: string;
  list?: string;
  inputMode?: 'numeric';
};

/** A one-line text field of the trigger form, its hint or error underneath. */
export function TriggerTextField({
  id,
  label,
  error,
  value,
  onChange,
  hint,
  mono,
  optional,
  autoFocus,
  placeholder,
  list,
  inputMode,
}: TTriggerTextFieldProps) {
  return (
    <Field id={id} label={label} error={error} hint={hint} optional={optional}>
      <Input
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        className={cx(mono && 'font-mono')}
        autoFocus={autoFocus}
        placeholder={placeholder}
        list={list}
        inputMode={inputMode}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={Boolean(error)}
        aria-describedby={fieldMessageId(id)}
      />
    </Field>
  );
}

/** An optional monospace text area of the trigger form (JSON, JSONata); Enter submits the form. */
export function TriggerTextArea({
  id,
  label,
  error,
  value,
  onChange,
  hint,
  placeholder,
}: {
  id: string;
  label: string;
  error?: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  placeholder?: string;
}) {
  return (
    <Field id={id} label={label} error={error} hint={hint} optional>
      <textarea
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        rows={2}
        spellCheck={false}
        placeholder={placeholder}
        className={cx(INPUT_CLASSES, 'h-auto py-2 font-mono text-[13px]')}
        aria-invalid={Boolean(error)}
        aria-describedby={fieldMessageId(id)}
        // Enter submits like every other field; Shift+Enter adds a line.
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey) {
            event.preventDefault();
            event.currentTarget.form?.requestSubmit();
          }
        }}
      />
    </Field>
  );
}
