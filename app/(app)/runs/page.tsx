import type { Metadata } from 'next';
import Link from 'next/link';
import { Activity } from 'lucide-react';
import { buttonClasses } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageContext } from '@/server/auth/require-page-context';

export const metadata: Metadata = { title: 'Runs' };

export default async function RunsPage() {
  await requirePageContext('/runs');
  return (
    <>
      <PageHeader title="Runs" description="Every run of every workflow: live status, each step's input and output, and controls to pause, resume, cancel and retry." />
      <EmptyState
        icon={Activity}
        title="No runs yet"
        actions={
          <Link href="/workflows" className={buttonClasses('secondary')}>
            Go to Workflows
          </Link>
        }
      >
        Runs appear here once a published workflow is started. Workflows and their runs arrive with the definitions and runtime features.
      </EmptyState>
    </>
  );
}
