'use client';

import { Plus, X } from 'lucide-react';
import { useState } from 'react';
import { JsonValueEditor } from '@/components/designer/config/json-value-editor';
import { Button } from '@/components/ui/button';
import { cx } from '@/components/ui/cx';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import {
  newRowName,
  parseAllowedValues,
  propertyRows,
  renameProblem,
  withRows,
  type TObjectSchema,
  type TPropertyRow,
} from '@/components/designer/config/json-schema-edits';

type TSchema = TObjectSchema;
const TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'] as const;
const TYPE_OPTIONS = TYPES.map((type) => ({ value: type, label: type }));

function asObject(value: unknown): TSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as TSchema) : {};
}

/**
 * Edits an object JSON Schema (a run's parameters, a human task's form): one row per
 * property with its name, type, whether it is required, a title and allowed values. Anything
 * more (nested objects, patterns, formats) is kept as it is and can be changed in the JSON view.
 * Rows stack so they fit the designer's narrow side panel. A name being typed that is empty or
 * another field's is held back with a reason (written, it would drop that field).
 */
export function JsonSchemaEditor({
  id,
  value,
  onChange,
  readOnly,
  label,
}: {
  id: string;
  value: unknown;
  onChange: (schema: TSchema) => void;
  readOnly: boolean;
  label: string;
}) {
  const [view, setView] = useState<'fields' | 'json'>('fields');
  const [nameDrafts, setNameDrafts] = useState<Record<number, string>>({});
  const schema = asObject(value);
  const rows = propertyRows(schema);

  const write = (next: TPropertyRow[]) => onChange(withRows(schema, next));
  const update = (index: number, change: Partial<TPropertyRow>) =>
    write(rows.map((row, other) => (other === index ? { ...row, ...change } : row)));
  const rename = (index: number, name: string) => {
    if (renameProblem(rows, index, name)) {
      setNameDrafts({ ...nameDrafts, [index]: name });
      return;
    }
    const { [index]: _done, ...rest } = nameDrafts;
    setNameDrafts(rest);
    update(index, { name });
  };
  const remove = (index: number) => {
    setNameDrafts({});
    write(rows.filter((_, other) => other !== index));
  };

  return (
    <div id={id} className="flex flex-col gap-2" role="group" aria-label={label}>
      <div
        role="radiogroup"
        aria-label={`${label}: view`}
        className="inline-flex w-fit rounded-md border border-line p-0.5"
      >
        {(['fields', 'json'] as const).map((option) => (
          <button
            key={option}
            type="button"
            role="radio"
            aria-checked={view === option}
            onClick={() => setView(option)}
            className={cx(
              'rounded px-2 py-0.5 text-[12px] font-medium',
              view === option ? 'bg-subtle text-ink' : 'text-ink-faint hover:text-ink',
            )}
          >
            {option === 'fields' ? 'Fields' : 'JSON'}
          </button>
        ))}
      </div>
      {view === 'json' ? (
        <JsonValueEditor
          id={`${id}-json`}
          label={`${label} as JSON`}
          value={schema}
          onChange={(next) => onChange(asObject(next))}
          readOnly={readOnly}
          rows={12}
          code
        />
      ) : (
        <>
          {rows.length === 0 && <p className="text-[13px] text-ink-faint">No fields yet.</p>}
          {rows.map((row, index) => {
            const property = row.schema;
            const type =
              typeof property.type === 'string' && (TYPES as readonly string[]).includes(property.type)
                ? property.type
                : 'string';
            const enumText = Array.isArray(property.enum) ? property.enum.join(', ') : '';
            const rowId = `${id}-${index}`;
            const draft = nameDrafts[index];
            const nameProblem = draft === undefined ? null : renameProblem(rows, index, draft);
            return (
              <div
                key={index}
                className="flex min-w-0 flex-col gap-2 rounded-md border border-line p-2.5"
                data-testid="schema-property"
              >
                <div className="flex min-w-0 items-center gap-2">
                  <Input
                    id={`${rowId}-name`}
                    aria-label={`Field ${index + 1} name`}
                    value={draft ?? row.name}
                    readOnly={readOnly}
                    placeholder="name"
                    aria-invalid={nameProblem ? true : undefined}
                    aria-describedby={nameProblem ? `${rowId}-name-problem` : undefined}
                    className="h-8 min-w-0 flex-1 font-mono text-[13px]"
                    onChange={(event) => rename(index, event.target.value)}
                    onBlur={() =>
                      draft !== undefined &&
                      setNameDrafts(
                        Object.fromEntries(Object.entries(nameDrafts).filter(([key]) => Number(key) !== index)),
                      )
                    }
                  />
                  {!readOnly && (
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Remove field ${row.name}`}
                      onClick={() => remove(index)}
                    >
                      <X className="size-4" aria-hidden />
                    </Button>
                  )}
                </div>
                {nameProblem && (
                  <p id={`${rowId}-name-problem`} className="text-[12px] text-danger">
                    {nameProblem} The field keeps “{row.name}”.
                  </p>
                )}
                <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
                  <Select
                    id={`${rowId}-type`}
                    aria-label={`Field ${index + 1} type`}
                    value={type}
                    options={TYPE_OPTIONS}
                    disabled={readOnly}
                    className="h-8 w-32"
                    onValueChange={(next) =>
                      update(index, {
                        schema: { ...property, type: next, ...(next !== 'string' ? { enum: undefined } : {}) },
                      })
                    }
                  />
                  <label className="inline-flex items-center gap-1.5 text-[13px] text-ink-muted">
                    <input
                      type="checkbox"
                      checked={row.required}
                      disabled={readOnly}
                      onChange={(event) => update(index, { required: event.target.checked })}
                      className="size-4 accent-(--color-accent)"
                      aria-label={`Field ${index + 1} required`}
                    />
                    Required
                  </label>
                </div>
                <Input
                  aria-label={`Field ${index + 1} title`}
                  placeholder="Title shown on the form"
                  value={typeof property.title === 'string' ? property.title : ''}
                  readOnly={readOnly}
                  className="h-8 text-[13px]"
                  onChange={(event) =>
                    update(index, { schema: { ...property, title: event.target.value || undefined } })
                  }
                />
                {type === 'string' && (
                  <Input
                    key={`${row.name}:${enumText}`}
                    aria-label={`Field ${index + 1} allowed values`}
                    placeholder="Allowed values, comma separated"
                    defaultValue={enumText}
                    readOnly={readOnly}
                    className="h-8 text-[13px]"
                    onBlur={(event) =>
                      update(index, { schema: { ...property, enum: parseAllowedValues(event.target.value) } })
                    }
                  />
                )}
              </div>
            );
          })}
          {!readOnly && (
            <Button
              size="sm"
              variant="secondary"
              onClick={() => write([...rows, { name: newRowName(rows), schema: { type: 'string' }, required: false }])}
              className="w-fit"
            >
              <Plus className="size-3.5" aria-hidden />
              Add field
            </Button>
          )}
        </>
      )}
    </div>
  );
}
