'use client';

import { useConfigContext } from '@/components/designer/config/config-context';
import { ConfigField } from '@/components/designer/config/config-field';
import { ListEditor, MapEditor } from '@/components/designer/config/collection-editors';
import { JsonValueEditor } from '@/components/designer/config/json-value-editor';
import { CodeEditor } from '@/components/designer/expression/code-editor';
import {
  emptyValueFor,
  labelFor,
  matchVariant,
  schemaKind,
  variantLabel,
  type TSchema,
} from '@/components/designer/config/schema-kind';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { cx } from '@/components/ui/cx';
import { joinPath } from '@/model/definition/problem';
import { ConnectionSelect } from '@/components/designer/config/connection-select';
import { CONNECTION_PICKER_KEY, CONNECTION_TYPES, type TConnectionType } from '@/model/connections/connection-config';

const isConnectionType = (value: string): value is TConnectionType =>
  (CONNECTION_TYPES as readonly string[]).includes(value);

export type TLiteralControlProps = {
  id: string;
  path: string;
  schema: TSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  anyExpression: boolean;
  secrets: boolean;
  invalid?: boolean;
  describedBy?: string;
};

/** Strings allowed this long are edited in a multi-line box. */
const LONG_TEXT_CHARS = 10_000;
/** From this many characters a string is prose to be written over lines, not a one-line value. */
const PROSE_CHARS = 1000;
const INPUT_TYPE: Record<string, string> = { email: 'email', uri: 'url', 'date-time': 'text' };
const PLACEHOLDER: Record<string, string> = {
  email: 'name@example.com',
  uri: 'https://…',
  'date-time': '2026-01-31T09:00:00Z',
};

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The control for a literal value of `schema`: text, number, switch, choice, nested form, list or map. */
export function LiteralControl({
  id,
  path,
  schema,
  value,
  onChange,
  anyExpression,
  secrets,
  invalid = false,
  describedBy,
}: TLiteralControlProps) {
  const { readOnly } = useConfigContext();
  const kind = schemaKind(schema);
  const aria = { 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy };
  const connectionType = schema[CONNECTION_PICKER_KEY];
  switch (kind.kind) {
    case 'string':
      if (typeof connectionType === 'string' && isConnectionType(connectionType))
        return (
          <ConnectionSelect
            id={id}
            type={connectionType}
            value={typeof value === 'string' ? value : ''}
            onChange={onChange}
          />
        );
      // Code (a code.js source) gets a JavaScript editor that shows its syntax errors before publish.
      if (schema.contentMediaType === 'text/javascript') {
        return (
          <CodeEditor
            id={id}
            language="javascript"
            value={typeof value === 'string' ? value : ''}
            onChange={(source) => onChange(source === '' ? undefined : source)}
            readOnly={readOnly}
            labelledBy={`${id}-label`}
            describedBy={describedBy}
            invalid={invalid}
            placeholder="return { total: input.vars.lines.length };"
          />
        );
      }
      // Long text (a log message, an email body) gets room to be written in.
      if ((kind.maxLength ?? 0) >= LONG_TEXT_CHARS) {
        return (
          <textarea
            id={id}
            rows={6}
            spellCheck={false}
            value={typeof value === 'string' ? value : ''}
            onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
            readOnly={readOnly}
            className="w-full min-w-0 rounded-md border border-line bg-surface px-2 py-1.5 font-mono text-[13px] text-ink"
            {...aria}
          />
        );
      }
      // Prose (a task's description, a failure message, a step's description, `format: "multiline"`):
      // a few lines that grow as it is written, in the body font.
      if (kind.format === 'multiline' || (kind.maxLength ?? 0) >= PROSE_CHARS) {
        return (
          <textarea
            id={id}
            rows={3}
            value={typeof value === 'string' ? value : ''}
            onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
            readOnly={readOnly}
            data-multiline
            className="field-sizing-content max-h-80 min-h-[4.5rem] w-full min-w-0 resize-y rounded-md border border-line bg-surface px-2 py-1.5 text-sm text-ink focus-visible:ring-2 focus-visible:ring-accent focus-visible:outline-none"
            {...aria}
          />
        );
      }
      return (
        <Input
          id={id}
          type={INPUT_TYPE[kind.format ?? ''] ?? 'text'}
          value={typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value)}
          placeholder={
            PLACEHOLDER[kind.format ?? ''] ?? (kind.pattern?.startsWith('^vars') ? 'vars.result' : undefined)
          }
          onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
          readOnly={readOnly}
          className={cx(kind.pattern && 'font-mono')}
          {...aria}
        />
      );
    case 'number':
      return (
        <Input
          id={id}
          type="number"
          inputMode={kind.integer ? 'numeric' : 'decimal'}
          step={kind.integer ? 1 : 'any'}
          min={kind.minimum}
          max={kind.maximum}
          value={typeof value === 'number' ? String(value) : ''}
          onChange={(event) => onChange(event.target.value === '' ? undefined : Number(event.target.value))}
          readOnly={readOnly}
          className="max-w-48"
          {...aria}
        />
      );
    case 'boolean':
      return (
        <label className="inline-flex items-center gap-2 text-sm text-ink">
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            onChange={(event) => onChange(event.target.checked)}
            disabled={readOnly}
            className="size-4 accent-(--color-accent)"
            {...aria}
          />
          {value === true ? 'Yes' : 'No'}
        </label>
      );
    case 'enum':
      return (
        <Select
          id={id}
          value={typeof value === 'string' ? value : ''}
          onValueChange={onChange}
          options={kind.options.map((option) => ({ value: option, label: option }))}
          disabled={readOnly}
          className="w-full max-w-64"
          {...aria}
        />
      );
    case 'const':
      return <code className="font-mono text-[13px] text-ink-muted">{JSON.stringify(kind.value)}</code>;
    case 'object': {
      const record = asRecord(value);
      return (
        <fieldset id={id} className="flex flex-col gap-3 rounded-md border border-line p-3">
          {kind.properties.map(([name, child]) => (
            <ConfigField
              key={name}
              path={joinPath(path, name)}
              label={labelFor(name)}
              schema={child}
              value={record[name]}
              required={kind.required.includes(name)}
              anyExpression={anyExpression}
              secrets={secrets}
              onChange={(next) => {
                const copy = { ...record };
                if (next === undefined) delete copy[name];
                else copy[name] = next;
                onChange(copy);
              }}
            />
          ))}
        </fieldset>
      );
    }
    case 'map':
      return (
        <MapEditor
          id={id}
          path={path}
          schema={kind.values}
          value={asRecord(value)}
          onChange={onChange}
          anyExpression={anyExpression}
          secrets={secrets}
          keyPlaceholder={path.endsWith('assign') ? 'vars.total' : 'name'}
        />
      );
    case 'array':
      return (
        <ListEditor
          id={id}
          path={path}
          schema={kind.items}
          value={Array.isArray(value) ? value : []}
          onChange={onChange}
          anyExpression={anyExpression}
          secrets={secrets}
        />
      );
    case 'pipe': {
      const count = Array.isArray(value) ? value.length : 0;
      return (
        <p id={id} className="text-[13px] text-ink-muted">
          {count === 0 ? 'No steps yet' : `${count} step${count === 1 ? '' : 's'}`}: arrange them in the pipe on the
          canvas.
        </p>
      );
    }
    case 'variants': {
      const index = matchVariant(kind.options, value);
      const chosen = kind.options[index] ?? {};
      return (
        <div className="flex flex-col gap-2">
          <div role="radiogroup" aria-label="Shape" className="inline-flex w-fit rounded-md border border-line p-0.5">
            {kind.options.map((option, optionIndex) => (
              <button
                key={optionIndex}
                type="button"
                role="radio"
                aria-checked={optionIndex === index}
                disabled={readOnly}
                onClick={() => optionIndex !== index && onChange(emptyValueFor(option))}
                className={cx(
                  'rounded px-2 py-0.5 text-[12px] font-medium',
                  optionIndex === index ? 'bg-subtle text-ink' : 'text-ink-faint hover:text-ink',
                )}
              >
                {variantLabel(option)}
              </button>
            ))}
          </div>
          {chosen.const === undefined && (
            <LiteralControl
              id={id}
              path={path}
              schema={chosen}
              value={value}
              onChange={onChange}
              anyExpression={anyExpression}
              secrets={secrets}
              invalid={invalid}
              describedBy={describedBy}
            />
          )}
        </div>
      );
    }
    case 'any':
      return (
        <JsonValueEditor
          id={id}
          value={value}
          onChange={onChange}
          readOnly={readOnly}
          invalid={invalid}
          describedBy={describedBy}
        />
      );
  }
}
