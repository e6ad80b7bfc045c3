import type { ComponentProps } from 'react';
import { cx } from '@/components/ui/cx';

export function Label({ className, ...props }: ComponentProps<'label'>) {
  return <label className={cx('text-[13px] font-medium text-ink', className)} {...props} />;
}
