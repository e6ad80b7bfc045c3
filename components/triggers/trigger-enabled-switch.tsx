'use client';

import { Loader2 } from 'lucide-react';
import { setTriggerEnabledAction } from '@/app/(app)/workflows/[key]/triggers/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { cx } from '@/components/ui/cx';

/** On/off for one trigger; the server's state is what it shows (the page refreshes after the change). */
export function TriggerEnabledSwitch({
  triggerId,
  enabled,
  label,
  disabled = false,
}: {
  triggerId: string;
  enabled: boolean;
  label: string;
  disabled?: boolean;
}) {
  const { pending, error, run } = useServerAction(setTriggerEnabledAction);
  return (
    <div className="flex flex-col items-end gap-1">
      <button
        type="button"
        role="switch"
        aria-checked={enabled}
        aria-label={label}
        aria-busy={pending || undefined}
        disabled={disabled || pending}
        onClick={() => run({ id: triggerId, enabled: !enabled })}
        className="group inline-flex items-center gap-2 rounded-md px-1 py-0.5 text-[13px] text-ink-muted hover:text-ink disabled:cursor-not-allowed disabled:opacity-60"
      >
        {/* Fixed width for the word so the card does not shift when it flips. */}
        <span className="inline-flex w-14 justify-end">
          {pending ? <Loader2 className="size-3.5 animate-spin" aria-hidden /> : enabled ? 'Enabled' : 'Disabled'}
        </span>
        <span
          className={cx(
            'relative inline-flex h-5 w-9 shrink-0 items-center rounded-full border transition-colors',
            enabled ? 'border-accent bg-accent' : 'border-line-strong bg-subtle',
          )}
        >
          <span
            className={cx(
              'inline-block size-3.5 rounded-full bg-surface shadow transition-transform',
              enabled ? 'translate-x-[18px]' : 'translate-x-[2px]',
            )}
          />
        </span>
      </button>
      {error && (
        <p role="alert" className="max-w-64 text-right text-[12px] text-danger">
          {error.message}
        </p>
      )}
    </div>
  );
}
