import type { ComponentProps } from 'react';
import { cx } from '@/components/ui/cx';

export const INPUT_CLASSES =
  'h-9 w-full min-w-0 rounded-md border border-line-strong bg-surface px-3 text-sm text-ink placeholder:text-ink-faint transition-colors focus-visible:border-accent aria-[invalid=true]:border-danger disabled:opacity-60';

export function Input({ className, ...props }: ComponentProps<'input'>) {
  return <input className={cx(INPUT_CLASSES, className)} {...props} />;
}
