'use client';

import { Plus, X } from 'lucide-react';
import { useState } from 'react';
import { FieldProblems } from '@/components/designer/config/config-field';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { ENV_NAME_PATTERN, type TEnv } from '@/model/definition/version-document';

type TEnvInput = { vars?: Record<string, string>; secrets?: Record<string, string> };

/** Name → value rows where a name is written only once it is valid and unique (a clash would drop a row). */
function NamedRows({
  label,
  rows,
  onChange,
  readOnly,
  renderValue,
  addLabel,
  emptyText,
  pathBase,
}: {
  label: string;
  rows: Record<string, string>;
  onChange: (rows: Record<string, string>) => void;
  readOnly: boolean;
  renderValue: (name: string, value: string, set: (value: string) => void) => React.ReactNode;
  addLabel: string;
  emptyText: string;
  pathBase: string;
}) {
  const [drafts, setDrafts] = useState<Record<number, string>>({});
  const entries = Object.entries(rows);
  const rename = (index: number, next: string) => {
    if (!ENV_NAME_PATTERN.test(next) || entries.some(([name], other) => other !== index && name === next)) {
      setDrafts({ ...drafts, [index]: next });
      return;
    }
    const { [index]: _dropped, ...rest } = drafts;
    setDrafts(rest);
    onChange(Object.fromEntries(entries.map(([name, value], other) => [other === index ? next : name, value])));
  };
  const add = () => {
    let n = entries.length + 1;
    while (`NAME_${n}` in rows) n += 1;
    onChange({ ...rows, [`NAME_${n}`]: '' });
  };
  return (
    <div className="flex flex-col gap-2" role="group" aria-label={label}>
      <h3 className="text-[13px] font-medium text-ink">{label}</h3>
      {entries.length === 0 && <p className="text-[13px] text-ink-faint">{emptyText}</p>}
      {entries.map(([name, value], index) => (
        <div key={index} data-config-path={`${pathBase}.${name}`} className="flex flex-col gap-1">
          <div className="grid grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)_auto] items-center gap-2">
            <Input
              aria-label={`${label} name ${index + 1}`}
              value={drafts[index] ?? name}
              readOnly={readOnly}
              className="h-8 font-mono text-[13px]"
              aria-invalid={drafts[index] !== undefined || undefined}
              onChange={(event) => rename(index, event.target.value)}
            />
            {renderValue(name, value, (next) => onChange({ ...rows, [name]: next }))}
            {!readOnly ? (
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Remove ${name}`}
                onClick={() => onChange(Object.fromEntries(entries.filter((_, other) => other !== index)))}
              >
                <X className="size-4" aria-hidden />
              </Button>
            ) : (
              <span />
            )}
          </div>
          {drafts[index] !== undefined && (
            <p className="text-[12px] text-danger">
              Names use letters, digits and “_”, do not start with a digit, and are unique. “{name}” is kept until then.
            </p>
          )}
          <FieldProblems path={`${pathBase}.${name}`} />
        </div>
      ))}
      {!readOnly && (
        <Button size="sm" variant="secondary" onClick={add} className="w-fit">
          <Plus className="size-3.5" aria-hidden />
          {addLabel}
        </Button>
      )}
    </div>
  );
}

/** `env.vars` (plain values) and `env.secrets` (a name used in the definition → a tenant secret's name). */
export function EnvEditor({
  env,
  tenantSecrets,
  readOnly,
  onChange,
}: {
  env: TEnvInput;
  tenantSecrets: string[];
  readOnly: boolean;
  onChange: (env: TEnv) => void;
}) {
  const vars = env.vars ?? {};
  const secrets = env.secrets ?? {};
  const secretOptions = tenantSecrets.map((name) => ({ value: name, label: name }));
  return (
    <div className="flex flex-col gap-5">
      <NamedRows
        label="Env vars"
        pathBase="env.vars"
        rows={vars}
        readOnly={readOnly}
        addLabel="Add env var"
        emptyText="No env vars. Put values that differ between setups here (URLs, limits), not secrets."
        onChange={(next) => onChange({ vars: next, secrets })}
        renderValue={(name, value, set) => (
          <Input
            aria-label={`Value of ${name}`}
            value={value}
            readOnly={readOnly}
            className="h-8 text-[13px]"
            onChange={(event) => set(event.target.value)}
          />
        )}
      />
      <NamedRows
        label="Secret references"
        pathBase="env.secrets"
        rows={secrets}
        readOnly={readOnly}
        addLabel="Add secret reference"
        emptyText={
          tenantSecrets.length === 0
            ? 'No secrets in this tenant yet; an admin adds them under Settings → Secrets.'
            : 'None. Reference a tenant secret to use it in an action input.'
        }
        onChange={(next) => onChange({ vars, secrets: next })}
        renderValue={(name, value, set) => {
          const options =
            value && !tenantSecrets.includes(value)
              ? [{ value, label: `${value} (missing)` }, ...secretOptions]
              : secretOptions;
          return options.length === 0 ? (
            <span className="text-[12px] text-ink-faint">no tenant secrets</span>
          ) : (
            <Select
              aria-label={`Tenant secret for ${name}`}
              value={value}
              onValueChange={set}
              options={options}
              disabled={readOnly}
              className="h-8 w-full font-mono text-[13px]"
            />
          );
        }}
      />
    </div>
  );
}
