'use client';

import { Plus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { createApiTokenAction } from '@/app/(app)/settings/tokens/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { ROLE_OPTIONS } from '@/components/settings/role-options';
import { ShownOnce } from '@/components/settings/shown-once';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';

/** An <input type="date"> value as the end of that day in the person's own time zone. */
function endOfLocalDay(date: string): string | null {
  return date ? new Date(`${date}T23:59:59`).toISOString() : null;
}

/** Creates a token and shows its value once. */
export function CreateTokenDialog() {
  const [open, setOpen] = useState(false);
  const [role, setRole] = useState('viewer');
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const { pending, error, run, reset } = useServerAction(createApiTokenAction);

  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) {
      setCreated(null);
      setRole('viewer');
      reset();
    }
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    run(
      { name: String(form.get('name') ?? ''), role, expiresAt: endOfLocalDay(String(form.get('expires') ?? '')) },
      setCreated,
    );
  };

  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        <Plus className="size-4" aria-hidden />
        Create token
      </Button>
      <Dialog
        open={open}
        onOpenChange={onOpenChange}
        title={created ? `Token "${created.name}" created` : 'Create API token'}
        description={created ? undefined : 'The token acts in this tenant with the role you choose.'}
        dismissible={!created}
      >
        {created ? (
          <>
            <ShownOnce
              label="API token"
              value={created.token}
              warning="Copy it now and store it somewhere safe: it will not be shown again."
            />
            <DialogFooter>
              <Button variant="primary" onClick={() => onOpenChange(false)}>
                Done
              </Button>
            </DialogFooter>
          </>
        ) : (
          <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
            <Field
              id="token-name"
              label="Name"
              error={fieldError(error, 'name')}
              hint="What uses it, e.g. “CI deploy script”."
            >
              <Input
                id="token-name"
                name="name"
                required
                autoFocus
                maxLength={100}
                aria-invalid={Boolean(fieldError(error, 'name'))}
                aria-describedby={fieldMessageId('token-name')}
              />
            </Field>
            <Field id="token-role" label="Role">
              <Select id="token-role" value={role} onValueChange={setRole} options={ROLE_OPTIONS} className="w-full" />
            </Field>
            <Field
              id="token-expires"
              label="Expires"
              optional
              error={fieldError(error, 'expiresAt')}
              hint="At the end of that day. Leave empty for a token that does not expire."
            >
              <Input
                id="token-expires"
                name="expires"
                type="date"
                aria-invalid={Boolean(fieldError(error, 'expiresAt'))}
                aria-describedby={fieldMessageId('token-expires')}
              />
            </Field>
            <FormError message={formLevelError(error, ['name', 'role', 'expiresAt'])} />
            <DialogFooter>
              <Button onClick={() => onOpenChange(false)}>Cancel</Button>
              <Button type="submit" variant="primary" loading={pending}>
                Create token
              </Button>
            </DialogFooter>
          </form>
        )}
      </Dialog>
    </>
  );
}
