'use client';

import { Building2, Check, ChevronsUpDown, Plus } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { switchTenantAction } from '@/app/(app)/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import type { TTenantChoice } from '@/server/tenants/list-my-tenants';

/** Shows the current tenant and switches to another one the person belongs to. */
export function TenantSwitcher({
  current,
  tenants,
}: {
  current: { slug: string; name: string };
  tenants: TTenantChoice[];
}) {
  const router = useRouter();
  const { pending, error, run } = useServerAction(switchTenantAction);
  const choose = (slug: string) => {
    if (slug === current.slug) return;
    run({ slug }, () => router.refresh());
  };
  return (
    <div className="flex min-w-0 items-center gap-3">
      <DropdownMenu>
        <DropdownMenuTrigger
          aria-label={`Tenant: ${current.name}. Switch tenant`}
          disabled={pending}
          className="flex h-8 max-w-64 min-w-0 items-center gap-2 rounded-md border border-line bg-surface px-2.5 text-sm font-medium text-ink hover:bg-subtle disabled:opacity-60"
        >
          <Building2 className="size-4 shrink-0 text-ink-faint" aria-hidden />
          <span className="truncate" data-testid="current-tenant">
            {current.name}
          </span>
          <ChevronsUpDown className="size-3.5 shrink-0 text-ink-faint" aria-hidden />
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start">
          <DropdownMenuLabel>Tenants</DropdownMenuLabel>
          {tenants.map((tenant) => (
            <DropdownMenuItem key={tenant.id} onSelect={() => choose(tenant.slug)}>
              <span className="flex size-4 shrink-0 items-center justify-center">
                {tenant.slug === current.slug && <Check className="size-3.5 text-accent" aria-hidden />}
              </span>
              <span className="min-w-0 flex-1 truncate">{tenant.name}</span>
              <span className="text-xs text-ink-faint">{tenant.role}</span>
            </DropdownMenuItem>
          ))}
          <DropdownMenuSeparator />
          <DropdownMenuItem asChild>
            <Link href="/settings/tenants">
              <Plus className="size-4 text-ink-faint" aria-hidden />
              Manage tenants
            </Link>
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      {error && (
        <p role="alert" className="truncate text-[13px] text-danger">
          {error.message}
        </p>
      )}
    </div>
  );
}
