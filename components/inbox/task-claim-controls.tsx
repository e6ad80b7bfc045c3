'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { claimTaskAction, reassignTaskAction, releaseTaskAction } from '@/app/(app)/inbox/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

/**
 * Claim or release a task, and hand it to someone else (an email, several separated by commas,
 * or a role written as "role:operator"). The server decides who may; its refusal shows here.
 */
export function TaskClaimControls({
  taskId,
  claimedBy,
  me,
  canClaim,
  canRelease,
  canReassign,
}: {
  taskId: string;
  claimedBy: string | null;
  me: string | null;
  canClaim: boolean;
  canRelease: boolean;
  canReassign: boolean;
}) {
  const router = useRouter();
  const claim = useServerAction(claimTaskAction);
  const release = useServerAction(releaseTaskAction);
  const reassign = useServerAction(reassignTaskAction);
  const [to, setTo] = useState('');
  const refresh = () => router.refresh();
  const submitReassign = () => {
    const text = to.trim();
    const role = /^role:\s*(\w+)$/i.exec(text)?.[1];
    const people = text
      .split(/[\s,;]+/)
      .map((part) => part.trim())
      .filter(Boolean);
    const assignee = role ? { role: role.toLowerCase() } : people.length > 1 ? { users: people } : { user: text };
    reassign.run({ id: taskId, assignee }, () => {
      setTo('');
      refresh();
    });
  };
  const error = claim.error ?? release.error ?? reassign.error;
  return (
    <div className="flex flex-col gap-3 text-sm" data-task-claim>
      <p data-testid="claim-state">
        {claimedBy ? (
          <>
            Claimed by <span className="font-medium break-all">{claimedBy === me ? 'you' : claimedBy}</span>
          </>
        ) : (
          <span className="text-ink-muted">Not claimed</span>
        )}
      </p>
      <div className="flex flex-wrap gap-2">
        {canClaim && !claimedBy && (
          <Button size="sm" loading={claim.pending} onClick={() => claim.run({ id: taskId }, refresh)}>
            Claim
          </Button>
        )}
        {canRelease && claimedBy && (
          <Button
            size="sm"
            variant="ghost"
            loading={release.pending}
            onClick={() => release.run({ id: taskId }, refresh)}
          >
            Release
          </Button>
        )}
      </div>
      {canReassign && (
        <form
          className="flex flex-col gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            submitReassign();
          }}
        >
          <label htmlFor="reassign-to" className="text-[13px] text-ink-muted">
            Reassign to (email, emails, or role:operator)
          </label>
          <div className="flex gap-2">
            <Input
              id="reassign-to"
              value={to}
              onChange={(event) => setTo(event.target.value)}
              placeholder="name@example.com"
            />
            <Button size="md" type="submit" disabled={to.trim() === ''} loading={reassign.pending}>
              Reassign
            </Button>
          </div>
        </form>
      )}
      <FormError message={error ? error.message : null} />
    </div>
  );
}
