import type { Metadata } from 'next';
import { Inbox } from 'lucide-react';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageContext } from '@/server/auth/require-page-context';

export const metadata: Metadata = { title: 'Inbox' };

export default async function InboxPage() {
  await requirePageContext('/inbox');
  return (
    <>
      <PageHeader title="Inbox" description="Approvals and other human tasks assigned to you or your role." />
      <EmptyState icon={Inbox} title="Nothing to answer">
        When a run reaches a human task step, the task shows up here with its form and outcomes. Human tasks arrive with the runtime feature.
      </EmptyState>
    </>
  );
}
