import type { ComponentProps } from 'react';
import { cx } from '@/components/ui/cx';

export function Card({ className, ...props }: ComponentProps<'div'>) {
  return <div className={cx('rounded-lg border border-line bg-surface', className)} {...props} />;
}
