'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cx } from '@/components/ui/cx';

/**
 * The sections of one workflow's page: the designer, its triggers, its version history and its
 * runs. Every page under /workflows/<key> shows the same row so people move between them in
 * one click.
 */
export function WorkflowTabs({ workflowKey }: { workflowKey: string }) {
  const pathname = usePathname();
  const base = `/workflows/${workflowKey}`;
  const tabs = [
    { href: base, label: 'Designer', active: pathname === base },
    { href: `${base}/triggers`, label: 'Triggers', active: pathname.startsWith(`${base}/triggers`) },
    { href: `${base}/versions`, label: 'Versions', active: pathname.startsWith(`${base}/versions`) },
    { href: `/runs?workflow=${encodeURIComponent(workflowKey)}`, label: 'Runs', active: false },
  ];
  return (
    <nav aria-label="Workflow sections" className="mb-5 border-b border-line">
      <ul className="-mb-px flex gap-1 overflow-x-auto">
        {tabs.map((tab) => (
          <li key={tab.href}>
            <Link
              href={tab.href}
              aria-current={tab.active ? 'page' : undefined}
              className={cx(
                'inline-flex h-9 items-center border-b-2 px-3 text-sm whitespace-nowrap transition-colors',
                tab.active
                  ? 'border-accent font-medium text-ink'
                  : 'border-transparent text-ink-muted hover:border-line-strong hover:text-ink',
              )}
            >
              {tab.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
