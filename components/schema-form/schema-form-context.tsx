'use client';

import { createContext, useContext, type ReactNode } from 'react';
import { controlId, type TFieldErrors, type TPointer } from '@/components/schema-form/json-schema';

type TSchemaFormContext = {
  idPrefix: string;
  errors: TFieldErrors;
  readOnly: boolean;
  /** Replaces the value at a pointer (undefined removes it) and reports the new whole value. */
  update: (pointer: TPointer, value: unknown) => void;
};

export const SchemaFormContext = createContext<TSchemaFormContext | null>(null);

export function useSchemaForm(): TSchemaFormContext {
  const context = useContext(SchemaFormContext);
  if (!context) throw new Error('Schema form fields must be rendered inside <SchemaForm>.');
  return context;
}

export function messageId(idPrefix: string, pointer: TPointer): string {
  return `${controlId(idPrefix, pointer)}-message`;
}

export function descriptionId(idPrefix: string, pointer: TPointer): string {
  return `${controlId(idPrefix, pointer)}-description`;
}

/** The aria attributes a control needs so its description and errors are read with it. */
export function controlAria({
  idPrefix,
  pointer,
  errors,
  description,
  required,
}: {
  idPrefix: string;
  pointer: TPointer;
  errors: string[];
  description?: string;
  required: boolean;
}) {
  const describedBy = [
    description ? descriptionId(idPrefix, pointer) : null,
    errors.length > 0 ? messageId(idPrefix, pointer) : null,
  ]
    .filter(Boolean)
    .join(' ');
  return {
    id: controlId(idPrefix, pointer),
    'aria-invalid': errors.length > 0 ? (true as const) : undefined,
    'aria-describedby': describedBy || undefined,
    'aria-required': required || undefined,
  };
}

/** A field's label with its required marker (a star, spoken as "required"). */
export function FieldLabelText({ label, required }: { label: string; required: boolean }): ReactNode {
  return (
    <>
      {label}
      {required && (
        <>
          <span aria-hidden className="ml-0.5 text-danger">
            *
          </span>
          <span className="sr-only"> (required)</span>
        </>
      )}
    </>
  );
}

/** The description under a label and the field's error messages. */
export function FieldDescription({ idPrefix, pointer, text }: { idPrefix: string; pointer: TPointer; text?: string }) {
  if (!text) return null;
  return (
    <p id={descriptionId(idPrefix, pointer)} className="text-[13px] break-words text-ink-faint">
      {text}
    </p>
  );
}

export function FieldMessages({
  idPrefix,
  pointer,
  errors,
}: {
  idPrefix: string;
  pointer: TPointer;
  errors: string[];
}) {
  if (errors.length === 0) return null;
  return (
    <div id={messageId(idPrefix, pointer)} className="flex flex-col gap-0.5 text-[13px] text-danger" data-field-error>
      {errors.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}
