'use client';

import { Plus, X } from 'lucide-react';
import { useState } from 'react';
import { useConfigContext } from '@/components/designer/config/config-context';
import { ConfigField } from '@/components/designer/config/config-field';
import { emptyValueFor, schemaKind, splitExpression, type TSchema } from '@/components/designer/config/schema-kind';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { joinPath } from '@/model/definition/problem';

type TCollectionProps<T> = {
  id: string;
  path: string;
  schema: TSchema;
  value: T;
  onChange: (value: unknown) => void;
  anyExpression: boolean;
  secrets: boolean;
};

/**
 * Key/value pairs (headers, query, `assign`): one row per key, each value a field of its own.
 * Keys are edited in place; order is kept. A key being typed that collides with another is
 * held back (shown, not written) until it is unique, so no value is ever overwritten.
 */
export function MapEditor({
  id,
  path,
  schema,
  value,
  onChange,
  anyExpression,
  secrets,
  keyPlaceholder,
}: TCollectionProps<Record<string, unknown>> & { keyPlaceholder: string }) {
  const { readOnly } = useConfigContext();
  const [drafts, setDrafts] = useState<Record<number, string>>({});
  const entries = Object.entries(value);
  const rename = (index: number, nextKey: string) => {
    const taken = entries.some(([key], other) => other !== index && key === nextKey);
    if (nextKey === '' || taken) {
      setDrafts({ ...drafts, [index]: nextKey });
      return;
    }
    const { [index]: _dropped, ...rest } = drafts;
    setDrafts(rest);
    onChange(
      Object.fromEntries(entries.map(([key, item], other) => (other === index ? [nextKey, item] : [key, item]))),
    );
  };
  const add = () => {
    let n = entries.length + 1;
    const base = keyPlaceholder === 'vars.total' ? 'vars.value' : 'key';
    while (`${base}${n}` in value) n += 1;
    onChange({ ...value, [`${base}${n}`]: emptyValueFor(splitExpression(schema).literal) ?? '' });
  };
  return (
    <div id={id} className="flex flex-col gap-2">
      {entries.length === 0 && <p className="text-[13px] text-ink-faint">None yet.</p>}
      {entries.map(([key, item], index) => {
        const draft = drafts[index];
        const keyId = `${id}-key-${index}`;
        return (
          <div key={index} className="flex flex-col gap-1.5 rounded-md border border-line p-2.5">
            <div className="flex items-center gap-2">
              <Input
                id={keyId}
                aria-label={`Name ${index + 1}`}
                value={draft ?? key}
                placeholder={keyPlaceholder}
                onChange={(event) => rename(index, event.target.value)}
                readOnly={readOnly}
                className="h-8 font-mono text-[13px]"
                aria-invalid={draft !== undefined || undefined}
              />
              {!readOnly && (
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Remove ${key}`}
                  onClick={() => onChange(Object.fromEntries(entries.filter((_, other) => other !== index)))}
                >
                  <X className="size-4" aria-hidden />
                </Button>
              )}
            </div>
            {draft !== undefined && (
              <p className="text-[12px] text-danger">
                {draft === '' ? 'Give it a name.' : `“${draft}” is already used.`}
              </p>
            )}
            <ConfigField
              path={joinPath(path, key)}
              label={`Value of ${key}`}
              schema={schema}
              value={item}
              anyExpression={anyExpression}
              secrets={secrets}
              onChange={(next) => onChange({ ...value, [key]: next === undefined ? '' : next })}
            />
          </div>
        );
      })}
      {!readOnly && (
        <Button size="sm" variant="secondary" onClick={add} className="w-fit">
          <Plus className="size-3.5" aria-hidden />
          Add
        </Button>
      )}
    </div>
  );
}

/** A list: scalars as one row each, objects (cases, branches) as nested forms. */
export function ListEditor({ id, path, schema, value, onChange, anyExpression, secrets }: TCollectionProps<unknown[]>) {
  const { readOnly } = useConfigContext();
  const itemKind = schemaKind(splitExpression(schema).literal).kind;
  const compact = itemKind === 'string' || itemKind === 'number' || itemKind === 'enum';
  const add = () => {
    const item = emptyValueFor(splitExpression(schema).literal);
    // Parallel branches need an id of their own; give a fresh one rather than an invalid empty one.
    if (path.endsWith('branches') && typeof item === 'object' && item !== null)
      Object.assign(item, { id: `branch-${value.length + 1}`, steps: [] });
    onChange([...value, item]);
  };
  return (
    <div id={id} className="flex flex-col gap-2">
      {value.length === 0 && <p className="text-[13px] text-ink-faint">None yet.</p>}
      {value.map((item, index) => (
        <div
          key={index}
          className={compact ? 'flex items-start gap-2' : 'flex flex-col gap-1.5 rounded-md border border-line p-2.5'}
        >
          <div className="min-w-0 flex-1">
            <ConfigField
              path={joinPath(path, index)}
              label={compact ? `Item ${index + 1}` : `${index + 1}.`}
              schema={schema}
              value={item}
              anyExpression={anyExpression}
              secrets={secrets}
              scopeField={path.replace(/^config\./, '').endsWith('branches') ? `branches[${index}].result` : undefined}
              onChange={(next) => onChange(value.map((old, other) => (other === index ? next : old)))}
            />
          </div>
          {!readOnly && (
            <Button
              size="sm"
              variant="ghost"
              aria-label={`Remove item ${index + 1}`}
              onClick={() => onChange(value.filter((_, other) => other !== index))}
              className={compact ? 'mt-7' : 'w-fit'}
            >
              <X className="size-4" aria-hidden />
              {!compact && 'Remove'}
            </Button>
          )}
        </div>
      ))}
      {!readOnly && (
        <Button size="sm" variant="secondary" onClick={add} className="w-fit">
          <Plus className="size-3.5" aria-hidden />
          Add
        </Button>
      )}
    </div>
  );
}
