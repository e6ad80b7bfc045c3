import type { ComponentProps } from 'react';
import { Loader2 } from 'lucide-react';
import { cx } from '@/components/ui/cx';

export type TButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';
export type TButtonSize = 'sm' | 'md';

const VARIANTS: Record<TButtonVariant, string> = {
  primary: 'bg-accent text-accent-ink hover:bg-accent-hover border border-transparent',
  secondary: 'bg-surface text-ink border border-line-strong hover:bg-subtle',
  ghost: 'text-ink-muted hover:text-ink hover:bg-subtle border border-transparent',
  danger: 'bg-danger text-white hover:bg-danger-hover border border-transparent dark:text-canvas',
};
const SIZES: Record<TButtonSize, string> = { sm: 'h-8 px-2.5 text-[13px] gap-1.5', md: 'h-9 px-3.5 text-sm gap-2' };

/** The classes of a button, for links that look like one. */
export function buttonClasses(variant: TButtonVariant = 'secondary', size: TButtonSize = 'md'): string {
  return cx(
    'inline-flex shrink-0 items-center justify-center rounded-md font-medium whitespace-nowrap transition-colors',
    'disabled:cursor-not-allowed disabled:opacity-60',
    VARIANTS[variant],
    SIZES[size],
  );
}

type TButtonProps = ComponentProps<'button'> & { variant?: TButtonVariant; size?: TButtonSize; loading?: boolean };

/** A button; `loading` shows a spinner and blocks a second submit. */
export function Button({
  variant,
  size,
  loading = false,
  className,
  children,
  disabled,
  type = 'button',
  ...props
}: TButtonProps) {
  return (
    <button
      type={type}
      className={cx(buttonClasses(variant, size), className)}
      disabled={disabled || loading}
      aria-busy={loading || undefined}
      {...props}
    >
      {loading && <Loader2 className="size-4 animate-spin" aria-hidden />}
      {children}
    </button>
  );
}
