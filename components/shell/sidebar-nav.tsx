'use client';

import { Activity, Inbox, LayoutDashboard, Mail, Radio, Settings, Workflow } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { PhoneNavMore, type TNavItem } from '@/components/shell/phone-nav-more';
import { useLiveInboxCount } from '@/components/shell/use-live-inbox-count';
import { cx } from '@/components/ui/cx';

/** `phone`: shown in the row at phone width; the others go under "More" there. */
const ITEMS: ReadonlyArray<TNavItem & { phone: boolean }> = [
  { href: '/overview', label: 'Overview', icon: LayoutDashboard, phone: false },
  { href: '/workflows', label: 'Workflows', icon: Workflow, phone: true },
  { href: '/runs', label: 'Runs', icon: Activity, phone: true },
  { href: '/inbox', label: 'Inbox', icon: Inbox, phone: true },
  { href: '/events', label: 'Events', icon: Radio, phone: false },
  { href: '/outbox', label: 'Outbox', icon: Mail, phone: false },
  { href: '/settings', label: 'Settings', icon: Settings, phone: false },
];
const MORE = ITEMS.filter((item) => !item.phone);

/**
 * The main navigation: a column beside the page on wide screens; on phones a row of the
 * everyday pages (workflows, runs, inbox) and a "More" menu for the rest. `inboxCount`: my open
 * tasks as rendered, kept right live afterwards.
 */
export function SidebarNav({ inboxCount: rendered = 0 }: { inboxCount?: number }) {
  const pathname = usePathname();
  const inboxCount = useLiveInboxCount(rendered);
  const isActive = (href: string) => pathname === href || pathname.startsWith(`${href}/`);
  return (
    <nav aria-label="Main" className="min-w-0 flex-1">
      <ul className="flex items-center gap-0.5 md:flex-col md:items-stretch md:gap-1">
        {ITEMS.map(({ href, label, icon: Icon, phone }) => {
          const active = isActive(href);
          return (
            <li key={href} className={phone ? undefined : 'hidden md:block'}>
              <Link
                href={href}
                aria-current={active ? 'page' : undefined}
                className={cx(
                  'flex h-8 items-center gap-2 rounded-md px-2 text-sm whitespace-nowrap transition-colors md:px-2.5',
                  active ? 'bg-subtle font-medium text-ink' : 'text-ink-muted hover:bg-subtle hover:text-ink',
                )}
              >
                {/* On phones the row is words only, so it fits 320 px with the inbox count. */}
                <Icon
                  className={cx('hidden size-4 shrink-0 md:block', active ? 'text-accent' : 'text-ink-faint')}
                  aria-hidden
                />
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
        <li className="ml-auto md:hidden">
          <PhoneNavMore items={MORE} activeHref={MORE.find((item) => isActive(item.href))?.href ?? null} />
        </li>
      </ul>
    </nav>
  );
}
