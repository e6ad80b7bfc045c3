'use client';

import { KeyRound } from 'lucide-react';
import { useConfigContext } from '@/components/designer/config/config-context';
import { Select } from '@/components/ui/select';

/**
 * Picks a secret by the name the definition declares in `env.secrets`; the value is resolved
 * only when the action runs and is never shown here.
 */
export function SecretSelect({ id, value, onChange }: { id: string; value: string; onChange: (name: string) => void }) {
  const { secretRefs, readOnly } = useConfigContext();
  const names = Object.keys(secretRefs);
  if (names.length === 0) {
    return (
      <p id={id} className="rounded-md border border-dashed border-line-strong px-3 py-2 text-[13px] text-ink-muted">
        No secrets declared yet. Add one under <strong>Workflow → Env and secrets</strong>, then choose it here.
      </p>
    );
  }
  const options = names.map((name) => ({
    value: name,
    label: name,
    description: `tenant secret “${secretRefs[name]}”`,
  }));
  if (value && !names.includes(value))
    options.unshift({ value, label: value, description: 'not declared in env.secrets' });
  return (
    <div className="flex items-center gap-2">
      <KeyRound className="size-4 shrink-0 text-ink-faint" aria-hidden />
      <Select
        id={id}
        value={value}
        onValueChange={onChange}
        options={options}
        disabled={readOnly}
        className="w-full font-mono"
        aria-label="Secret"
      />
    </div>
  );
}
