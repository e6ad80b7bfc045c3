'use client';

import { Plus } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { createWorkflowAction } from '@/app/(app)/workflows/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { keyFromName } from '@/components/workflows/key-from-name';

/** Creates an empty workflow and opens it in the designer. The key follows the name until someone edits it. */
export function CreateWorkflowDialog({ variant = 'primary' }: { variant?: 'primary' | 'secondary' }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [key, setKey] = useState<string | null>(null);
  const { pending, error, run, reset } = useServerAction(createWorkflowAction);
  const shownKey = key ?? keyFromName(name);
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) {
      reset();
      setName('');
      setKey(null);
    }
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const tags = String(form.get('tags') ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
    run({ key: shownKey, name, description: String(form.get('description') ?? ''), tags }, (created) =>
      router.push(`/workflows/${created.key}`),
    );
  };
  return (
    <>
      <Button variant={variant} onClick={() => setOpen(true)}>
        <Plus className="size-4" aria-hidden />
        New workflow
      </Button>
      <Dialog
        open={open}
        onOpenChange={onOpenChange}
        title="New workflow"
        description="Start from an empty pipe; you design the steps next."
      >
        <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
          <Field id="wf-name" label="Name" error={fieldError(error, 'name')}>
            <Input
              id="wf-name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              required
              autoFocus
              maxLength={200}
              aria-invalid={Boolean(fieldError(error, 'name'))}
              aria-describedby={fieldMessageId('wf-name')}
            />
          </Field>
          <Field
            id="wf-key"
            label="Key"
            error={fieldError(error, 'key')}
            hint="Lowercase letters, digits and dashes; used in URLs and the API. It cannot change later."
          >
            <Input
              id="wf-key"
              value={shownKey}
              onChange={(event) => setKey(event.target.value)}
              required
              className="font-mono"
              maxLength={63}
              aria-invalid={Boolean(fieldError(error, 'key'))}
              aria-describedby={fieldMessageId('wf-key')}
            />
          </Field>
          <Field id="wf-description" label="Description" optional error={fieldError(error, 'description')}>
            <Input
              id="wf-description"
              name="description"
              maxLength={5000}
              aria-describedby={fieldMessageId('wf-description')}
            />
          </Field>
          <Field
            id="wf-tags"
            label="Tags"
            optional
            hint="Comma separated, e.g. finance, erp."
            error={fieldError(error, 'tags')}
          >
            <Input id="wf-tags" name="tags" aria-describedby={fieldMessageId('wf-tags')} />
          </Field>
          <FormError message={formLevelError(error, ['name', 'key', 'description', 'tags'])} />
          <DialogFooter>
            <Button onClick={() => onOpenChange(false)}>Cancel</Button>
            <Button type="submit" variant="primary" loading={pending}>
              Create workflow
            </Button>
          </DialogFooter>
        </form>
      </Dialog>
    </>
  );
}
