'use client';

import { Plus, X } from 'lucide-react';
import { useState } from 'react';
import { JsonValueEditor } from '@/components/designer/config/json-value-editor';
import { Button } from '@/components/ui/button';
import { cx } from '@/components/ui/cx';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';

type TSchema = Record<string, unknown>;
const TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'] as const;
const TYPE_OPTIONS = TYPES.map((type) => ({ value: type, label: type }));

function asObject(value: unknown): TSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as TSchema) : {};
}

/**
 * Edits an object JSON Schema (a run's parameters, a human task's form): one row per
 * property with its type, whether it is required, a title and allowed values. Anything more
 * (nested objects, patterns, formats) is kept as it is and can be changed in the JSON view.
 */
export function JsonSchemaEditor({ id, value, onChange, readOnly, label }: { id: string; value: unknown; onChange: (schema: TSchema) => void; readOnly: boolean; label: string }) {
  const [view, setView] = useState<'fields' | 'json'>('fields');
  const schema = asObject(value);
  const properties = Object.entries(asObject(schema.properties));
  const required = Array.isArray(schema.required) ? schema.required.map(String) : [];

  const write = (nextProperties: Array<[string, TSchema]>, nextRequired: string[]) => {
    const names = new Set(nextProperties.map(([name]) => name));
    const kept = nextRequired.filter((name) => names.has(name));
    const { required: _old, ...rest } = schema;
    onChange({ ...rest, type: 'object', properties: Object.fromEntries(nextProperties), ...(kept.length > 0 ? { required: kept } : {}) });
  };
  const update = (index: number, name: string, property: TSchema, isRequired: boolean) => {
    const oldName = properties[index]?.[0];
    // Renaming onto another field's name would silently drop that field.
    if (name !== oldName && properties.some(([other]) => other === name)) return;
    const next = properties.map((entry, other): [string, TSchema] => (other === index ? [name, property] : [entry[0], asObject(entry[1])]));
    const withoutOld = required.filter((item) => item !== oldName);
    write(next, isRequired ? [...withoutOld, name] : withoutOld);
  };
  const add = () => {
    let n = properties.length + 1;
    while (`field${n}` in asObject(schema.properties)) n += 1;
    write([...properties.map(([name, property]): [string, TSchema] => [name, asObject(property)]), [`field${n}`, { type: 'string' }]], required);
  };

  return (
    <div id={id} className="flex flex-col gap-2" role="group" aria-label={label}>
      <div role="radiogroup" aria-label={`${label}: view`} className="inline-flex w-fit rounded-md border border-line p-0.5">
        {(['fields', 'json'] as const).map((option) => (
          <button key={option} type="button" role="radio" aria-checked={view === option} onClick={() => setView(option)} className={cx('rounded px-2 py-0.5 text-[12px] font-medium', view === option ? 'bg-subtle text-ink' : 'text-ink-faint hover:text-ink')}>
            {option === 'fields' ? 'Fields' : 'JSON'}
          </button>
        ))}
      </div>
      {view === 'json' ? (
        <JsonValueEditor id={`${id}-json`} label={`${label} as JSON`} value={schema} onChange={(next) => onChange(asObject(next))} readOnly={readOnly} rows={12} />
      ) : (
        <>
          {properties.length === 0 && <p className="text-[13px] text-ink-faint">No fields yet.</p>}
          {properties.map(([name, raw], index) => {
            const property = asObject(raw);
            const type = typeof property.type === 'string' && (TYPES as readonly string[]).includes(property.type) ? property.type : 'string';
            const isRequired = required.includes(name);
            const enumText = Array.isArray(property.enum) ? property.enum.join(', ') : '';
            const rowId = `${id}-${index}`;
            return (
              <div key={index} className="grid grid-cols-1 gap-2 rounded-md border border-line p-2.5 sm:grid-cols-[minmax(0,1fr)_8rem_auto]" data-testid="schema-property">
                <Input id={`${rowId}-name`} aria-label={`Field ${index + 1} name`} value={name} readOnly={readOnly} className="h-8 font-mono text-[13px]" onChange={(event) => event.target.value && update(index, event.target.value, property, isRequired)} />
                <Select id={`${rowId}-type`} aria-label={`Field ${index + 1} type`} value={type} options={TYPE_OPTIONS} disabled={readOnly} className="h-8" onValueChange={(next) => update(index, name, { ...property, type: next, ...(next !== 'string' ? { enum: undefined } : {}) }, isRequired)} />
                <div className="flex items-center gap-2">
                  <label className="inline-flex items-center gap-1.5 text-[13px] text-ink-muted">
                    <input type="checkbox" checked={isRequired} disabled={readOnly} onChange={(event) => update(index, name, property, event.target.checked)} className="size-4 accent-(--color-accent)" aria-label={`Field ${index + 1} required`} />
                    Required
                  </label>
                  {!readOnly && (
                    <Button size="sm" variant="ghost" aria-label={`Remove field ${name}`} onClick={() => write(properties.filter((_, other) => other !== index).map(([n, p]): [string, TSchema] => [n, asObject(p)]), required)}>
                      <X className="size-4" aria-hidden />
                    </Button>
                  )}
                </div>
                <Input aria-label={`Field ${index + 1} title`} placeholder="Title shown on the form" value={typeof property.title === 'string' ? property.title : ''} readOnly={readOnly} className="h-8 text-[13px] sm:col-span-2" onChange={(event) => update(index, name, { ...property, title: event.target.value || undefined }, isRequired)} />
                {type === 'string' && (
                  <Input
                    aria-label={`Field ${index + 1} allowed values`}
                    placeholder="Allowed values, comma separated"
                    defaultValue={enumText}
                    readOnly={readOnly}
                    className="h-8 text-[13px]"
                    onBlur={(event) => {
                      const values = event.target.value.split(',').map((item) => item.trim()).filter(Boolean);
                      update(index, name, { ...property, enum: values.length > 0 ? values : undefined }, isRequired);
                    }}
                  />
                )}
              </div>
            );
          })}
          {!readOnly && (
            <Button size="sm" variant="secondary" onClick={add} className="w-fit">
              <Plus className="size-3.5" aria-hidden />
              Add field
            </Button>
          )}
        </>
      )}
    </div>
  );
}
