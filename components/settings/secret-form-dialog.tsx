'use client';

import { Plus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { putSecretAction } from '@/app/(app)/settings/secrets/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

/**
 * Creates a secret, or replaces the value of `replace`. The value input is uncontrolled so
 * React never mirrors it into a DOM attribute, and the dialog unmounts it on close.
 */
export function SecretFormDialog({ replace }: { replace?: string }) {
  const [open, setOpen] = useState(false);
  const { pending, error, run, reset } = useServerAction(putSecretAction);
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) reset();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const description = String(form.get('description') ?? '').trim();
    // When replacing, an empty description keeps the one already stored.
    run(
      {
        name: replace ?? String(form.get('name') ?? ''),
        value: String(form.get('value') ?? ''),
        description: description || (replace ? undefined : ''),
      },
      () => onOpenChange(false),
    );
  };
  return (
    <>
      {replace ? (
        <Button size="sm" variant="ghost" onClick={() => setOpen(true)} aria-label={`Replace ${replace}`}>
          Replace
        </Button>
      ) : (
        <Button variant="primary" onClick={() => setOpen(true)}>
          <Plus className="size-4" aria-hidden />
          New secret
        </Button>
      )}
      <Dialog
        open={open}
        onOpenChange={onOpenChange}
        title={replace ? `Replace "${replace}"` : 'New secret'}
        description={
          replace
            ? 'The new value replaces the old one for every workflow that uses it.'
            : 'Once saved, the value can be replaced but never read back here.'
        }
      >
        <form onSubmit={submit} className="flex flex-col gap-4" noValidate autoComplete="off">
          {!replace && (
            <Field
              id="secret-name"
              label="Name"
              error={fieldError(error, 'name')}
              hint="Letters, digits, dots, dashes, underscores, e.g. erp-api-token."
            >
              <Input
                id="secret-name"
                name="name"
                required
                autoFocus
                className="font-mono"
                aria-invalid={Boolean(fieldError(error, 'name'))}
                aria-describedby={fieldMessageId('secret-name')}
              />
            </Field>
          )}
          <Field id="secret-value" label="Value" error={fieldError(error, 'value')}>
            <Input
              id="secret-value"
              name="value"
              type="password"
              required
              autoFocus={Boolean(replace)}
              autoComplete="new-password"
              aria-invalid={Boolean(fieldError(error, 'value'))}
              aria-describedby={fieldMessageId('secret-value')}
            />
          </Field>
          <Field
            id="secret-description"
            label="Description"
            optional
            error={fieldError(error, 'description')}
            hint={replace ? 'Leave empty to keep the current description.' : undefined}
          >
            <Input
              id="secret-description"
              name="description"
              maxLength={500}
              aria-describedby={fieldMessageId('secret-description')}
            />
          </Field>
          <FormError message={formLevelError(error, ['name', 'value', 'description'])} />
          <DialogFooter>
            <Button onClick={() => onOpenChange(false)}>Cancel</Button>
            <Button type="submit" variant="primary" loading={pending}>
              {replace ? 'Replace value' : 'Save secret'}
            </Button>
          </DialogFooter>
        </form>
      </Dialog>
    </>
  );
}
