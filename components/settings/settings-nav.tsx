'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cx } from '@/components/ui/cx';

const TABS = [
  { href: '/settings/members', label: 'Members' },
  { href: '/settings/tokens', label: 'API tokens' },
  { href: '/settings/secrets', label: 'Secrets' },
  { href: '/settings/connections', label: 'Connections' },
  { href: '/settings/audit', label: 'Audit log' },
  { href: '/settings/tenant', label: 'Tenant' },
  { href: '/settings/alerts', label: 'Alerts' },
  { href: '/settings/tenants', label: 'Tenants' },
  { href: '/settings/account', label: 'Account' },
] as const;

/** The settings sub-navigation: tabs that scroll sideways on narrow screens. */
export function SettingsNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings" className="-mx-4 mb-8 overflow-x-auto border-b border-line px-4 md:mx-0 md:px-0">
      <ul className="flex gap-5">
        {TABS.map((tab) => {
          const active = pathname === tab.href || pathname.startsWith(`${tab.href}/`);
          return (
            <li key={tab.href}>
              <Link
                href={tab.href}
                aria-current={active ? 'page' : undefined}
                className={cx(
                  '-mb-px flex h-10 items-center border-b-2 text-sm whitespace-nowrap transition-colors',
                  active ? 'border-accent font-medium text-ink' : 'border-transparent text-ink-muted hover:text-ink',
                )}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
