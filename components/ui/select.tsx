'use client';

import * as RadixSelect from '@radix-ui/react-select';
import { Check, ChevronDown } from 'lucide-react';
import { cx } from '@/components/ui/cx';

export type TSelectOption = { value: string; label: string; description?: string };

type TSelectProps = {
  id?: string;
  value: string;
  onValueChange: (value: string) => void;
  options: readonly TSelectOption[];
  disabled?: boolean;
  className?: string;
  'aria-label'?: string;
  'aria-describedby'?: string;
};

/** A styled, keyboard-friendly select (Radix) for a small closed set of choices. */
export function Select({ id, value, onValueChange, options, disabled, className, ...aria }: TSelectProps) {
  return (
    <RadixSelect.Root value={value} onValueChange={onValueChange} disabled={disabled}>
      <RadixSelect.Trigger
        id={id}
        {...aria}
        // A long choice (a workflow key) is cut short in the button; the whole of it is the title.
        title={options.find((option) => option.value === value)?.label}
        className={cx(
          'inline-flex h-9 min-w-0 items-center justify-between gap-2 rounded-md border border-line-strong bg-surface px-3 text-sm text-ink transition-colors hover:bg-subtle disabled:opacity-60',
          className,
        )}
      >
        <span className="min-w-0 truncate">
          <RadixSelect.Value />
        </span>
        <RadixSelect.Icon className="shrink-0">
          <ChevronDown className="size-4 text-ink-faint" aria-hidden />
        </RadixSelect.Icon>
      </RadixSelect.Trigger>
      <RadixSelect.Portal>
        <RadixSelect.Content
          position="popper"
          sideOffset={4}
          className="z-50 max-h-72 min-w-(--radix-select-trigger-width) overflow-hidden rounded-md border border-line bg-surface shadow-lg"
        >
          <RadixSelect.Viewport className="p-1">
            {options.map((option) => (
              <RadixSelect.Item
                key={option.value}
                value={option.value}
                className="relative flex cursor-default flex-col rounded px-2 py-1.5 pl-7 text-sm text-ink outline-none select-none data-highlighted:bg-subtle"
              >
                <RadixSelect.ItemIndicator className="absolute top-2 left-2">
                  <Check className="size-3.5 text-accent" aria-hidden />
                </RadixSelect.ItemIndicator>
                <RadixSelect.ItemText>{option.label}</RadixSelect.ItemText>
                {option.description && <span className="text-xs text-ink-faint">{option.description}</span>}
              </RadixSelect.Item>
            ))}
          </RadixSelect.Viewport>
        </RadixSelect.Content>
      </RadixSelect.Portal>
    </RadixSelect.Root>
  );
}
