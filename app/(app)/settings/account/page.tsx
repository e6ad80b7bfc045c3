import type { Metadata } from 'next';
import { ChangePasswordForm } from '@/components/settings/change-password-form';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageContext } from '@/server/auth/require-page-context';
import { DelegationForm } from '@/components/settings/delegation-form';
import { getDb } from '@/server/db/database';
import { getMyDelegation } from '@/server/tasks/task-delegation';

export const metadata: Metadata = { title: 'Account' };

export default async function AccountPage() {
  const ctx = await requirePageContext('/settings/account');
  const person = ctx.actor.type === 'user' ? ctx.actor : null;
  const delegation = await getMyDelegation({ db: getDb(), ctx });
  return (
    <>
      <PageHeader title="Account" description="Your sign-in details." />
      <div className="flex max-w-xl flex-col gap-6">
        {person && (
          <Card className="p-5">
            <dl className="grid grid-cols-[6rem_minmax(0,1fr)] gap-y-2 text-sm">
              <dt className="text-ink-muted">Name</dt>
              <dd className="truncate">{person.name}</dd>
              <dt className="text-ink-muted">Email</dt>
              <dd className="truncate">{person.email}</dd>
              <dt className="text-ink-muted">Role</dt>
              <dd>
                <Badge tone={ctx.role === 'admin' ? 'accent' : 'neutral'}>{ctx.role}</Badge>{' '}
                <span className="text-ink-muted">in {ctx.tenantName}</span>
              </dd>
            </dl>
          </Card>
        )}
        <Card className="p-5">
          <h2 className="text-sm font-semibold">Delegate my tasks</h2>
          <p className="mt-1 mb-4 text-sm text-ink-muted">
            While you are away, tasks assigned to you by name can also be answered by a colleague; their answers are
            recorded on your behalf. Your colleague&apos;s own delegate does not get them.
          </p>
          <DelegationForm current={delegation} />
        </Card>
        <Card className="p-5">
          <h2 className="text-sm font-semibold">Change password</h2>
          <p className="mt-1 mb-4 text-sm text-ink-muted">
            At least 10 characters. Changing it signs you out everywhere else; you stay signed in here.
          </p>
          <ChangePasswordForm />
        </Card>
      </div>
    </>
  );
}
