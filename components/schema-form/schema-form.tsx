'use client';

import { useId, useMemo } from 'react';
import {
  controlId,
  fieldKind,
  labelAtPointer,
  setAtPointer,
  type TFieldErrors,
  type TJsonSchema,
} from '@/components/schema-form/json-schema';
import { ObjectProperties, SchemaField } from '@/components/schema-form/schema-field';
import { SchemaFormContext } from '@/components/schema-form/schema-form-context';
import { hasErrors } from '@/components/schema-form/validate-against-schema';

export type TSchemaFormProps = {
  /** The JSON Schema to render (an object schema renders its properties as the form's fields). */
  schema: TJsonSchema;
  /** The current value (controlled); start from `defaultValue(schema)`. */
  value: unknown;
  /** Called with the whole new value on every edit. */
  onChange: (value: unknown) => void;
  /** Messages per field keyed by JSON Pointer, from `validateAgainstSchema` or `fieldErrorsFromServer`. */
  errors?: TFieldErrors;
  /** Shows the value without letting anyone change it (a completed task, a preview). */
  readOnly?: boolean;
  /** Prefix for control ids; set it when two forms share a page and ids must be predictable. */
  idPrefix?: string;
  /** Lists every problem above the fields with links to them (default true). */
  showSummary?: boolean;
};

/**
 * A data-entry form generated from a JSON Schema. The caller owns the value and decides when to
 * validate (usually on submit, then on every change once shown); wrap it in `<form noValidate>`
 * so the browser's own bubbles do not compete with the inline messages.
 *
 * @example
 * const [value, setValue] = useState(() => defaultValue(schema));
 * const [errors, setErrors] = useState<TFieldErrors>({});
 * <form noValidate onSubmit={(e) => { e.preventDefault(); const found = validateAgainstSchema(schema, value); setErrors(found); if (!hasErrors(found)) send(value); }}>
 *   <SchemaForm schema={schema} value={value} onChange={setValue} errors={errors} />
 * </form>
 */
export function SchemaForm({
  schema,
  value,
  onChange,
  errors = {},
  readOnly = false,
  idPrefix,
  showSummary = true,
}: TSchemaFormProps) {
  const generated = useId();
  const prefix = idPrefix ?? `sf${generated.replace(/[^A-Za-z0-9]/g, '')}`;
  const context = useMemo(
    () => ({
      idPrefix: prefix,
      errors,
      readOnly,
      update: (pointer: string, next: unknown) => onChange(setAtPointer(value, pointer, next)),
    }),
    [prefix, errors, readOnly, onChange, value],
  );
  const isObject = fieldKind(schema) === 'object';
  const rootErrors = errors[''] ?? [];
  return (
    <SchemaFormContext.Provider value={context}>
      <div className="flex flex-col gap-4" data-schema-form>
        {showSummary && hasErrors(errors) && <ErrorSummary schema={schema} errors={errors} idPrefix={prefix} />}
        {isObject ? (
          <>
            {rootErrors.length > 0 && !showSummary && <p className="text-[13px] text-danger">{rootErrors.join(' ')}</p>}
            {Object.keys(schema.properties ?? {}).length === 0 && (
              <p className="text-sm text-ink-muted">This form has no fields.</p>
            )}
            <ObjectProperties schema={schema} pointer="" value={value} />
          </>
        ) : (
          <SchemaField schema={schema} pointer="" value={value} required />
        )}
      </div>
    </SchemaFormContext.Provider>
  );
}

/** Every problem at once, each a link that moves focus to its field. */
function ErrorSummary({ schema, errors, idPrefix }: { schema: TJsonSchema; errors: TFieldErrors; idPrefix: string }) {
  const entries = Object.entries(errors).filter(([, list]) => list.length > 0);
  const count = entries.reduce((n, [, list]) => n + list.length, 0);
  return (
    <div role="alert" className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-[13px] text-danger">
      <p className="font-semibold">
        {count === 1 ? 'There is 1 problem with the form.' : `There are ${count} problems with the form.`}
      </p>
      <ul className="mt-1 list-disc pl-5">
        {entries.map(([pointer, list]) =>
          list.map((message) => (
            <li key={`${pointer}:${message}`}>
              <a
                href={`#${controlId(idPrefix, pointer)}`}
                className="underline underline-offset-2"
                onClick={(event) => {
                  const target = document.getElementById(controlId(idPrefix, pointer));
                  if (!target) return;
                  event.preventDefault();
                  target.focus();
                }}
              >
                {pointer === '' ? '' : `${labelAtPointer(schema, pointer)}: `}
                {message}
              </a>
            </li>
          )),
        )}
      </ul>
    </div>
  );
}
