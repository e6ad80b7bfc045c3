'use client';

import { Activity, Inbox, LayoutDashboard, Mail, Radio, Settings, Workflow, type LucideIcon } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useLiveInboxCount } from '@/components/shell/use-live-inbox-count';
import { cx } from '@/components/ui/cx';

const ITEMS: ReadonlyArray<{ href: string; label: string; icon: LucideIcon }> = [
  { href: '/overview', label: 'Overview', icon: LayoutDashboard },
  { href: '/workflows', label: 'Workflows', icon: Workflow },
  { href: '/runs', label: 'Runs', icon: Activity },
  { href: '/inbox', label: 'Inbox', icon: Inbox },
  { href: '/events', label: 'Events', icon: Radio },
  { href: '/outbox', label: 'Outbox', icon: Mail },
  { href: '/settings', label: 'Settings', icon: Settings },
];

/** The main navigation: a column beside the page on wide screens, a row above it on phones. `inboxCount`: my open tasks. */
export function SidebarNav({ inboxCount: rendered = 0 }: { inboxCount?: number }) {
  const pathname = usePathname();
  const inboxCount = useLiveInboxCount(rendered);
  return (
    <nav aria-label="Main" className="min-w-0 flex-1 overflow-x-auto md:overflow-visible">
      <ul className="flex gap-0.5 md:flex-col md:gap-1">
        {ITEMS.map(({ href, label, icon: Icon }) => {
          const active = pathname === href || pathname.startsWith(`${href}/`);
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={active ? 'page' : undefined}
                className={cx(
                  'flex h-8 items-center gap-2 rounded-md px-2 text-sm whitespace-nowrap transition-colors md:px-2.5',
                  active ? 'bg-subtle font-medium text-ink' : 'text-ink-muted hover:bg-subtle hover:text-ink',
                )}
              >
                <Icon className={cx('size-4 shrink-0', active ? 'text-accent' : 'text-ink-faint')} aria-hidden />
                {label}
                {href === '/inbox' && inboxCount > 0 && (
                  <span
                    className="ml-auto rounded-full bg-accent px-1.5 text-xs leading-5 font-medium text-accent-ink tabular-nums"
                    data-testid="inbox-badge"
                    aria-label={`${inboxCount} open ${inboxCount === 1 ? 'task' : 'tasks'}`}
                  >
                    {inboxCount > 99 ? '99+' : inboxCount}
                  </span>
                )}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
