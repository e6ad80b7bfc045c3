'use client';

import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { clearDelegationAction, setDelegationAction } from '@/app/(app)/settings/account/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import type { TDelegation } from '@/server/tasks/task-delegation';

const day = (iso: string) => iso.slice(0, 10);

/**
 * Settings → Account: hand the tasks assigned to me by name to a colleague for a date range
 * (from the start of the first day to the end of the last one, in UTC).
 */
export function DelegationForm({ current }: { current: TDelegation | null }) {
  const router = useRouter();
  const set = useServerAction(setDelegationAction);
  const clear = useServerAction(clearDelegationAction);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const until = String(form.get('until') ?? '');
    set.run(
      {
        delegateTo: String(form.get('delegateTo') ?? ''),
        from: `${String(form.get('from') ?? '')}T00:00:00Z`,
        until: until ? new Date(Date.parse(`${until}T00:00:00Z`) + 86_400_000).toISOString() : '',
      },
      () => router.refresh(),
    );
  };
  const error = set.error;
  return (
    <div className="flex flex-col gap-4">
      {current && (
        <p className="text-sm" data-testid="delegation-current">
          Your tasks go to <span className="font-medium break-all">{current.delegateTo}</span> from {day(current.from)}{' '}
          to {day(new Date(Date.parse(current.until) - 1).toISOString())}.{' '}
          <Button
            size="sm"
            variant="ghost"
            loading={clear.pending}
            onClick={() => clear.run({}, () => router.refresh())}
          >
            End delegation
          </Button>
        </p>
      )}
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate aria-label="Delegate my tasks">
        <Field id="delegate-to" label="Delegate to" error={fieldError(error, 'delegateTo')}>
          <Input
            id="delegate-to"
            name="delegateTo"
            type="email"
            placeholder="colleague@example.com"
            defaultValue={current?.delegateTo ?? ''}
            aria-invalid={Boolean(fieldError(error, 'delegateTo'))}
            aria-describedby={fieldMessageId('delegate-to')}
          />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field id="delegate-from" label="From" error={fieldError(error, 'from')}>
            <Input id="delegate-from" name="from" type="date" defaultValue={current ? day(current.from) : ''} />
          </Field>
          <Field id="delegate-until" label="Until (inclusive)" error={fieldError(error, 'until')}>
            <Input
              id="delegate-until"
              name="until"
              type="date"
              defaultValue={current ? day(new Date(Date.parse(current.until) - 1).toISOString()) : ''}
            />
          </Field>
        </div>
        <FormError message={formLevelError(error, ['delegateTo', 'from', 'until']) ?? clear.error?.message ?? null} />
        <div>
          <Button type="submit" loading={set.pending}>
            Save delegation
          </Button>
        </div>
      </form>
    </div>
  );
}
