import type { ComponentProps } from 'react';
import { cx } from '@/components/ui/cx';

/**
 * A bordered table that scrolls sideways on narrow screens instead of squeezing its columns.
 * `relative` keeps absolutely positioned children (sr-only headers) inside the scroll box,
 * or they widen the whole page on phones.
 */
export function Table({ className, ...props }: ComponentProps<'table'>) {
  return (
    <div className="relative overflow-x-auto rounded-lg border border-line bg-surface">
      <table className={cx('w-full border-collapse text-sm', className)} {...props} />
    </div>
  );
}

export function THead(props: ComponentProps<'thead'>) {
  return <thead className="border-b border-line bg-subtle/60" {...props} />;
}

export function TBody(props: ComponentProps<'tbody'>) {
  return <tbody className="divide-y divide-line" {...props} />;
}

export function TR({ className, ...props }: ComponentProps<'tr'>) {
  return <tr className={cx('align-middle', className)} {...props} />;
}

export function TH({ className, ...props }: ComponentProps<'th'>) {
  return (
    <th
      scope="col"
      className={cx('h-9 px-4 text-left text-xs font-medium whitespace-nowrap text-ink-muted', className)}
      {...props}
    />
  );
}

export function TD({ className, ...props }: ComponentProps<'td'>) {
  return <td className={cx('h-12 px-4 py-2 text-ink', className)} {...props} />;
}
