import { Workflow } from 'lucide-react';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { SidebarNav } from '@/components/shell/sidebar-nav';
import { TenantSwitcher } from '@/components/shell/tenant-switcher';
import { UserMenu } from '@/components/shell/user-menu';
import { pageSessionContext } from '@/server/auth/require-page-context';
import { getDb } from '@/server/db/database';
import { countMyOpenTasks } from '@/server/tasks/count-my-open-tasks';
import { listMyTenants } from '@/server/tenants/list-my-tenants';

/**
 * The shell of every signed-in page. Without a session it renders the page alone: each page
 * calls requirePageContext, which redirects to sign-in with the page's own callbackUrl.
 */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const ctx = await pageSessionContext();
  if (!ctx || ctx.actor.type !== 'user') return children;
  const [tenants, inboxCount] = await Promise.all([
    listMyTenants({ db: getDb(), userId: ctx.actor.userId }),
    countMyOpenTasks({ db: getDb(), ctx }),
  ]);
  return (
    <div className="min-h-dvh md:grid md:grid-cols-[14rem_minmax(0,1fr)]">
      {/* The column carries the background and border down the whole page; the sidebar inside stays in view. */}
      <div className="border-b border-line bg-surface md:border-r md:border-b-0">
        <aside className="flex items-center gap-3 px-3 py-2 md:sticky md:top-0 md:h-dvh md:flex-col md:items-stretch md:gap-5 md:px-3 md:py-4">
          <Link
            href="/overview"
            aria-label="Pipewright home"
            className="hidden shrink-0 items-center gap-2 rounded-md md:flex md:px-2.5"
          >
            <span className="flex size-6 items-center justify-center rounded-md bg-accent text-accent-ink">
              <Workflow className="size-3.5" aria-hidden />
            </span>
            <span className="hidden text-sm font-semibold tracking-tight md:inline">Pipewright</span>
          </Link>
          <SidebarNav inboxCount={inboxCount} />
        </aside>
      </div>
      <div className="flex min-w-0 flex-col">
        <header className="flex h-14 items-center justify-between gap-3 border-b border-line bg-surface px-4 md:px-8">
          <TenantSwitcher current={{ slug: ctx.tenantSlug, name: ctx.tenantName }} tenants={tenants} />
          <UserMenu name={ctx.actor.name} email={ctx.actor.email} role={ctx.role} />
        </header>
        <main className="mx-auto w-full max-w-6xl px-4 py-6 md:px-8 md:py-8">{children}</main>
      </div>
    </div>
  );
}
