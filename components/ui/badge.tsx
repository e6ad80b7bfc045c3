import type { ReactNode } from 'react';
import { cx } from '@/components/ui/cx';

export type TBadgeTone = 'neutral' | 'accent' | 'success' | 'warning' | 'danger';

const TONES: Record<TBadgeTone, string> = {
  neutral: 'bg-subtle text-ink-muted border-line',
  accent: 'bg-accent-soft text-accent border-accent/25',
  success: 'bg-success-soft text-success border-success/25',
  warning: 'bg-warning-soft text-warning border-warning/25',
  danger: 'bg-danger-soft text-danger border-danger/25',
};

export function Badge({ tone = 'neutral', children }: { tone?: TBadgeTone; children: ReactNode }) {
  return (
    <span
      className={cx(
        'inline-flex items-center rounded-full border px-2 py-px text-xs font-medium whitespace-nowrap',
        TONES[tone],
      )}
    >
      {children}
    </span>
  );
}
