'use client';

import { Plus, Trash2 } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { cx } from '@/components/ui/cx';
import {
  childPointer,
  controlId,
  defaultValue,
  fieldKind,
  fieldLabel,
  type TJsonSchema,
  type TPointer,
} from '@/components/schema-form/json-schema';
import {
  controlAria,
  FieldDescription,
  FieldLabelText,
  FieldMessages,
  useSchemaForm,
} from '@/components/schema-form/schema-form-context';
import { EnumControl, JsonControl, NumberControl, StringControl } from '@/components/schema-form/scalar-controls';

type TFieldProps = {
  schema: TJsonSchema;
  pointer: TPointer;
  value: unknown;
  /** The property name or array index, for a label when the schema has no title. */
  name?: string | number;
  required: boolean;
  /** Hides the label (array items of scalars are labelled by their position). */
  label?: string;
};

/** One field for a schema: dispatches on its kind to a control, an object's fieldset or an array's list. */
export function SchemaField({ schema, pointer, value, name, required, label }: TFieldProps) {
  const { idPrefix, errors, readOnly, update } = useSchemaForm();
  const kind = fieldKind(schema);
  const fieldErrors = errors[pointer] ?? [];
  const text = label ?? fieldLabel(schema, name);
  if (kind === 'object')
    return <ObjectField schema={schema} pointer={pointer} value={value} label={text} required={required} />;
  if (kind === 'array')
    return <ArrayField schema={schema} pointer={pointer} value={value} label={text} required={required} />;

  const aria = controlAria({ idPrefix, pointer, errors: fieldErrors, description: schema.description, required });
  const controlProps = {
    schema,
    value,
    onChange: (next: unknown) => update(pointer, next),
    readOnly: readOnly || schema.readOnly === true,
    aria,
  };
  if (kind === 'boolean') {
    return (
      <div className="flex min-w-0 flex-col gap-1">
        <label className="flex min-w-0 items-center gap-2 text-sm text-ink">
          <input
            {...aria}
            type="checkbox"
            className="size-4 accent-accent"
            checked={value === true}
            disabled={controlProps.readOnly}
            onChange={(e) => update(pointer, e.target.checked)}
          />
          <span className="min-w-0 font-medium break-words">
            <FieldLabelText label={text} required={required} />
          </span>
        </label>
        <FieldDescription idPrefix={idPrefix} pointer={pointer} text={schema.description} />
        <FieldMessages idPrefix={idPrefix} pointer={pointer} errors={fieldErrors} />
      </div>
    );
  }
  return (
    <div className="flex min-w-0 flex-col gap-1.5">
      <label htmlFor={aria.id} className="text-[13px] font-medium break-words text-ink">
        <FieldLabelText label={text} required={required} />
      </label>
      <FieldDescription idPrefix={idPrefix} pointer={pointer} text={schema.description} />
      {kind === 'string' && <StringControl {...controlProps} />}
      {(kind === 'number' || kind === 'integer') && <NumberControl {...controlProps} integer={kind === 'integer'} />}
      {kind === 'enum' && <EnumControl {...controlProps} required={required} />}
      {kind === 'json' && <JsonControl {...controlProps} />}
      <FieldMessages idPrefix={idPrefix} pointer={pointer} errors={fieldErrors} />
    </div>
  );
}

/** The properties of an object, in schema order. The root object has no frame of its own. */
export function ObjectProperties({
  schema,
  pointer,
  value,
}: {
  schema: TJsonSchema;
  pointer: TPointer;
  value: unknown;
}) {
  const record =
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  return (
    <div className="flex min-w-0 flex-col gap-4">
      {Object.entries(schema.properties ?? {}).map(([key, child]) => (
        <SchemaField
          key={key}
          schema={child}
          pointer={childPointer(pointer, key)}
          value={record[key]}
          name={key}
          required={schema.required?.includes(key) ?? false}
        />
      ))}
    </div>
  );
}

function GroupFrame({
  pointer,
  label,
  required,
  schema,
  children,
  className,
}: {
  pointer: TPointer;
  label: string;
  required: boolean;
  schema: TJsonSchema;
  children: React.ReactNode;
  className?: string;
}) {
  const { idPrefix, errors } = useSchemaForm();
  const fieldErrors = errors[pointer] ?? [];
  return (
    <fieldset
      id={controlId(idPrefix, pointer)}
      tabIndex={-1}
      aria-invalid={fieldErrors.length > 0 || undefined}
      className={cx(
        'flex min-w-0 flex-col gap-3 rounded-md border border-line p-3',
        fieldErrors.length > 0 && 'border-danger/60',
        className,
      )}
    >
      <legend className="max-w-full px-1 text-[13px] font-semibold break-words text-ink">
        <FieldLabelText label={label} required={required} />
      </legend>
      <FieldDescription idPrefix={idPrefix} pointer={pointer} text={schema.description} />
      <FieldMessages idPrefix={idPrefix} pointer={pointer} errors={fieldErrors} />
      {children}
    </fieldset>
  );
}

function ObjectField({
  schema,
  pointer,
  value,
  label,
  required,
}: {
  schema: TJsonSchema;
  pointer: TPointer;
  value: unknown;
  label: string;
  required: boolean;
}) {
  return (
    <GroupFrame pointer={pointer} label={label} required={required} schema={schema}>
      <ObjectProperties schema={schema} pointer={pointer} value={value} />
    </GroupFrame>
  );
}

function ArrayField({
  schema,
  pointer,
  value,
  label,
  required,
}: {
  schema: TJsonSchema;
  pointer: TPointer;
  value: unknown;
  label: string;
  required: boolean;
}) {
  const { idPrefix, readOnly, update } = useSchemaForm();
  const items = Array.isArray(value) ? value : [];
  const itemSchema: TJsonSchema = schema.items ?? {};
  const itemKind = fieldKind(itemSchema);
  const itemLabel = itemSchema.title ?? 'item';
  const atMax = schema.maxItems !== undefined && items.length >= schema.maxItems;

  // A multi-select (an array of unique enum values) is a set of checkboxes.
  if (itemKind === 'enum' && schema.uniqueItems) {
    return (
      <GroupFrame pointer={pointer} label={label} required={required} schema={schema}>
        <div className="flex flex-wrap gap-x-4 gap-y-2">
          {(itemSchema.enum ?? []).map((option) => (
            <label key={String(option)} className="flex items-center gap-2 text-sm text-ink">
              <input
                type="checkbox"
                className="size-4 accent-accent"
                checked={items.includes(option)}
                disabled={readOnly}
                onChange={(e) =>
                  update(pointer, e.target.checked ? [...items, option] : items.filter((item) => item !== option))
                }
              />
              {String(option)}
            </label>
          ))}
        </div>
      </GroupFrame>
    );
  }

  const add = () => {
    update(pointer, [...items, defaultValue(itemSchema, true) ?? (itemKind === 'string' ? '' : undefined)]);
    // Move focus to the new item so keyboard users continue where they added it.
    const newPointer = childPointer(pointer, items.length);
    requestAnimationFrame(() => document.getElementById(controlId(idPrefix, newPointer))?.focus());
  };
  const remove = (index: number) =>
    update(
      pointer,
      items.filter((_, i) => i !== index),
    );

  return (
    <GroupFrame pointer={pointer} label={label} required={required} schema={schema}>
      {items.length === 0 && <p className="text-[13px] text-ink-faint">No {itemLabel}s yet.</p>}
      <ol className="flex flex-col gap-3">
        {items.map((item, index) => {
          const itemPointer = childPointer(pointer, index);
          const position = `${itemSchema.title ?? 'Item'} ${index + 1}`;
          const removeButton = !readOnly && (
            <Button size="sm" variant="ghost" onClick={() => remove(index)} aria-label={`Remove ${position}`}>
              <Trash2 className="size-3.5" aria-hidden />
              Remove
            </Button>
          );
          if (itemKind === 'object' || itemKind === 'array') {
            return (
              <li key={index} className="flex flex-col gap-2">
                <SchemaField schema={itemSchema} pointer={itemPointer} value={item} required label={position} />
                {removeButton && <div className="flex justify-end">{removeButton}</div>}
              </li>
            );
          }
          return (
            <li key={index} className="flex items-end gap-2">
              <div className="min-w-0 flex-1">
                <SchemaField schema={itemSchema} pointer={itemPointer} value={item} required label={position} />
              </div>
              {removeButton}
            </li>
          );
        })}
      </ol>
      {!readOnly && (
        <div>
          <Button size="sm" onClick={add} disabled={atMax}>
            <Plus className="size-3.5" aria-hidden />
            Add {itemLabel}
          </Button>
        </div>
      )}
    </GroupFrame>
  );
}
