'use client';

import { UserPlus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { addMemberAction } from '@/app/(app)/settings/members/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { ROLE_OPTIONS } from '@/components/settings/role-options';
import { ShownOnce } from '@/components/settings/shown-once';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';

type TAdded = { email: string; initialPassword: string | null };

/** Adds a person by email; a new account's one-time password is shown here, once. */
export function AddMemberDialog() {
  const [open, setOpen] = useState(false);
  const [role, setRole] = useState('editor');
  const [added, setAdded] = useState<TAdded | null>(null);
  const { pending, error, run, reset } = useServerAction(addMemberAction);

  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) {
      setAdded(null);
      setRole('editor');
      reset();
    }
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '');
    const name = String(form.get('name') ?? '').trim();
    run({ email, name: name || undefined, role }, (data) => setAdded({ email, initialPassword: data.initialPassword }));
  };

  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        <UserPlus className="size-4" aria-hidden />
        Add member
      </Button>
      <Dialog
        open={open}
        onOpenChange={onOpenChange}
        title={added ? 'Member added' : 'Add member'}
        description={
          added ? undefined : 'They get a role in this tenant. Someone new gets an account with a one-time password.'
        }
        dismissible={!added?.initialPassword}
      >
        {added ? (
          <>
            {added.initialPassword ? (
              <ShownOnce
                label={`One-time password for ${added.email}`}
                value={added.initialPassword}
                warning="Pass it on now: it will not be shown again. They can change it under Account after signing in."
              />
            ) : (
              <p className="text-sm text-ink-muted">
                {added.email} already has an account and signs in with their existing password.
              </p>
            )}
            <DialogFooter>
              <Button variant="primary" onClick={() => onOpenChange(false)}>
                Done
              </Button>
            </DialogFooter>
          </>
        ) : (
          <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
            <Field id="member-email" label="Email" error={fieldError(error, 'email')}>
              <Input
                id="member-email"
                name="email"
                type="email"
                required
                autoFocus
                aria-invalid={Boolean(fieldError(error, 'email'))}
                aria-describedby={fieldMessageId('member-email')}
              />
            </Field>
            <Field
              id="member-name"
              label="Name"
              optional
              error={fieldError(error, 'name')}
              hint="Defaults to the part of the email before the @."
            >
              <Input id="member-name" name="name" aria-describedby={fieldMessageId('member-name')} />
            </Field>
            <Field id="member-role" label="Role">
              <Select id="member-role" value={role} onValueChange={setRole} options={ROLE_OPTIONS} className="w-full" />
            </Field>
            <FormError message={formLevelError(error, ['email', 'name', 'role'])} />
            <DialogFooter>
              <Button onClick={() => onOpenChange(false)}>Cancel</Button>
              <Button type="submit" variant="primary" loading={pending}>
                Add member
              </Button>
            </DialogFooter>
          </form>
        )}
      </Dialog>
    </>
  );
}
