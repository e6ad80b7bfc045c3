'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { Select } from '@/components/ui/select';

/** Picks the two versions to compare; the choice lives in the URL (`?from=2&to=3`). */
export function CompareVersionsForm({
  versions,
  from,
  to,
}: {
  versions: Array<{ version: number; status: string }>;
  from: number;
  to: number;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const options = versions.map((v) => ({
    value: String(v.version),
    label: `v${v.version}${v.status === 'draft' ? ' (draft)' : ''}`,
  }));
  const go = (nextFrom: number, nextTo: number) =>
    startTransition(() => router.replace(`${pathname}?from=${nextFrom}&to=${nextTo}`, { scroll: false }));
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm text-ink-muted" aria-busy={pending || undefined}>
      <span>Compare</span>
      <Select
        aria-label="Older version"
        value={String(from)}
        options={options}
        onValueChange={(value) => go(Number(value), to)}
        className="w-32"
      />
      <span>with</span>
      <Select
        aria-label="Newer version"
        value={String(to)}
        options={options}
        onValueChange={(value) => go(from, Number(value))}
        className="w-32"
      />
    </div>
  );
}
