'use client';

import { useRef, useState, type FormEvent } from 'react';
import { changePasswordAction } from '@/app/(app)/settings/account/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

export function ChangePasswordForm() {
  const formRef = useRef<HTMLFormElement>(null);
  const [done, setDone] = useState(false);
  const { pending, error, run } = useServerAction(changePasswordAction);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setDone(false);
    run(
      {
        currentPassword: String(form.get('currentPassword') ?? ''),
        newPassword: String(form.get('newPassword') ?? ''),
      },
      () => {
        formRef.current?.reset();
        setDone(true);
      },
    );
  };
  return (
    <form ref={formRef} onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <Field id="current-password" label="Current password" error={fieldError(error, 'currentPassword')}>
        <Input
          id="current-password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={Boolean(fieldError(error, 'currentPassword'))}
          aria-describedby={fieldMessageId('current-password')}
        />
      </Field>
      <Field id="new-password" label="New password" error={fieldError(error, 'newPassword')}>
        <Input
          id="new-password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          aria-invalid={Boolean(fieldError(error, 'newPassword'))}
          aria-describedby={fieldMessageId('new-password')}
        />
      </Field>
      <FormError message={formLevelError(error, ['currentPassword', 'newPassword'])} />
      {done && (
        <p role="status" className="text-[13px] text-success">
          Password changed.
        </p>
      )}
      <div>
        <Button type="submit" variant="primary" loading={pending}>
          Change password
        </Button>
      </div>
    </form>
  );
}
