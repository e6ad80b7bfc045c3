'use client';

import { useState } from 'react';
import { formatCount } from '@/components/runs/format';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { cx } from '@/components/ui/cx';
import type { TOverviewBucket } from '@/server/overview/get-overview';

type TRange = '24h' | '7d';

function label(iso: string, range: TRange): string {
  const date = new Date(iso);
  return range === '24h'
    ? `${String(date.getUTCHours()).padStart(2, '0')}:00`
    : date.toLocaleDateString('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** "100K", not "100000": the axis is a few characters wide, and a six-digit count lost its first digit there. */
const compactCount = new Intl.NumberFormat('en', { notation: 'compact' });

/** Runs started, succeeded and failed per hour (last 24 h) or per day (last 7 days), switchable. */
export function RunsChart({ hourly, daily }: { hourly: TOverviewBucket[]; daily: TOverviewBucket[] }) {
  const [range, setRange] = useState<TRange>('24h');
  const data = (range === '24h' ? hourly : daily).map((bucket) => ({ ...bucket, label: label(bucket.at, range) }));
  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-center justify-between gap-3">
        <h2 className="text-sm font-semibold">Runs over time</h2>
        <div role="group" aria-label="Range" className="inline-flex rounded-md border border-line p-0.5 text-xs">
          {(['24h', '7d'] as const).map((option) => (
            <button
              key={option}
              type="button"
              aria-pressed={range === option}
              onClick={() => setRange(option)}
              className={cx(
                'rounded px-2 py-1',
                range === option ? 'bg-subtle font-medium text-ink' : 'text-ink-muted hover:text-ink',
              )}
            >
              {option === '24h' ? 'Last 24 hours' : 'Last 7 days'}
            </button>
          ))}
        </div>
      </div>
      {/* Clipped: until its ResizeObserver fires, the chart keeps the width it had, and after a rotation or resize to a phone width that pushed the page sideways. */}
      <div className="h-64 overflow-hidden" data-runs-chart={range}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid vertical={false} stroke="var(--color-line)" />
            <XAxis
              dataKey="label"
              tick={{ fontSize: 11, fill: 'var(--color-ink-muted)' }}
              tickLine={false}
              axisLine={false}
              interval="preserveStartEnd"
              minTickGap={12}
            />
            <YAxis
              allowDecimals={false}
              tickFormatter={(value: number) => compactCount.format(value)}
              tick={{ fontSize: 11, fill: 'var(--color-ink-muted)' }}
              tickLine={false}
              axisLine={false}
            />
            <Tooltip
              cursor={{ fill: 'var(--color-subtle)' }}
              contentStyle={{ fontSize: 12, borderRadius: 6 }}
              formatter={(value) => (typeof value === 'number' ? formatCount(value) : value)}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="started" name="Started" fill="var(--color-accent)" radius={[2, 2, 0, 0]} />
            <Bar dataKey="succeeded" name="Succeeded" fill="var(--color-success)" radius={[2, 2, 0, 0]} />
            <Bar dataKey="failed" name="Failed" fill="var(--color-danger)" radius={[2, 2, 0, 0]} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
