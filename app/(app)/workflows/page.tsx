import type { Metadata } from 'next';
import Link from 'next/link';
import { Workflow } from 'lucide-react';
import { buttonClasses } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/server/auth/roles';

export const metadata: Metadata = { title: 'Workflows' };

// There is no workflows table yet (it lands with the definitions feature): say so honestly.
export default async function WorkflowsPage() {
  const ctx = await requirePageContext('/workflows');
  return (
    <>
      <PageHeader title="Workflows" description="Pipes of steps that run from a form, a webhook, a schedule, an event or a script." />
      <EmptyState
        icon={Workflow}
        title="No workflows yet"
        actions={
          <>
            {roleAllows(ctx.role, 'token.manage') && (
              <Link href="/settings/tokens" className={buttonClasses('secondary')}>
                Create an API token
              </Link>
            )}
            <a href="/api/v1/openapi.json" className={buttonClasses('ghost')}>
              API reference
            </a>
          </>
        }
      >
        The workflow designer lands with the definitions feature. Until then, prepare what workflows will use: members, API tokens and secrets in Settings.
      </EmptyState>
    </>
  );
}
