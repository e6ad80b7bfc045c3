'use client';

import { useRef, useState, type FormEvent } from 'react';
import { createTenantAction } from '@/app/(app)/settings/tenants/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

/** A slug suggestion from the name, until the person edits the slug themselves. */
function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

export function CreateTenantForm() {
  const formRef = useRef<HTMLFormElement>(null);
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const { pending, error, run } = useServerAction(createTenantAction);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '');
    run({ name, slug }, () => {
      setCreated(name);
      formRef.current?.reset();
      setSlug('');
      setSlugEdited(false);
    });
  };
  return (
    <form ref={formRef} onSubmit={submit} className="grid grid-cols-1 gap-4 sm:grid-cols-2" noValidate>
      <Field id="tenant-name" label="Name" error={fieldError(error, 'name')}>
        <Input
          id="tenant-name"
          name="name"
          required
          maxLength={100}
          onChange={(event) => {
            setCreated(null);
            if (!slugEdited) setSlug(slugify(event.target.value));
          }}
          aria-invalid={Boolean(fieldError(error, 'name'))}
          aria-describedby={fieldMessageId('tenant-name')}
        />
      </Field>
      <Field
        id="tenant-slug"
        label="Slug"
        error={fieldError(error, 'slug')}
        hint="Lowercase letters, digits and dashes."
      >
        <Input
          id="tenant-slug"
          name="slug"
          required
          className="font-mono"
          value={slug}
          onChange={(event) => {
            setSlugEdited(true);
            setSlug(event.target.value);
          }}
          aria-invalid={Boolean(fieldError(error, 'slug'))}
          aria-describedby={fieldMessageId('tenant-slug')}
        />
      </Field>
      <div className="flex flex-col gap-3 sm:col-span-2">
        <FormError message={formLevelError(error, ['name', 'slug'])} />
        {created && (
          <p role="status" className="text-[13px] text-success">
            Created “{created}”. Switch to it from the list above or the tenant menu.
          </p>
        )}
        <div>
          <Button type="submit" variant="primary" loading={pending}>
            Create tenant
          </Button>
        </div>
      </div>
    </form>
  );
}
