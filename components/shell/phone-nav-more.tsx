'use client';

import { ChevronDown, type LucideIcon } from 'lucide-react';
import Link from 'next/link';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { cx } from '@/components/ui/cx';

export type TNavItem = { href: string; label: string; icon: LucideIcon };

/**
 * At phone width the navigation shows its everyday pages in one row and the rest under
 * "More", instead of a strip that scrolls sideways. When the current page is one of those,
 * the button names it, so where you are stays visible.
 */
export function PhoneNavMore({ items, activeHref }: { items: readonly TNavItem[]; activeHref: string | null }) {
  const current = items.find((item) => item.href === activeHref);
  return (
    <DropdownMenu modal={false}>
      <DropdownMenuTrigger
        className={cx(
          'flex h-8 items-center gap-1 rounded-md px-2 text-sm whitespace-nowrap focus-visible:ring-2 focus-visible:ring-accent focus-visible:outline-none',
          current ? 'bg-subtle font-medium text-ink' : 'text-ink-muted hover:bg-subtle hover:text-ink',
        )}
        aria-label={current ? `More pages (now: ${current.label})` : 'More pages'}
      >
        {current?.label ?? 'More'}
        <ChevronDown className="size-3.5 text-ink-faint" aria-hidden />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="min-w-44">
        {items.map(({ href, label, icon: Icon }) => (
          <DropdownMenuItem key={href} asChild>
            <Link href={href} aria-current={href === activeHref ? 'page' : undefined}>
              <Icon className="size-4 text-ink-faint" aria-hidden />
              {label}
            </Link>
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
