'use client';

import { MoreHorizontal } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import {
  deleteWorkflowAction,
  duplicateWorkflowAction,
  updateWorkflowAction,
} from '@/app/(app)/workflows/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { ExportVersionItem } from '@/components/workflows/export-version-item';

type TRow = {
  key: string;
  name: string;
  status: 'active' | 'archived';
  latestVersion: number | null;
  draftVersion: number | null;
};

/** A row's menu: open, versions, duplicate, archive or restore, export, delete (asked first). */
export function WorkflowRowActions({ workflow, canWrite }: { workflow: TRow; canWrite: boolean }) {
  const router = useRouter();
  const [dialog, setDialog] = useState<'none' | 'duplicate' | 'delete'>('none');
  const archive = useServerAction(updateWorkflowAction);
  const remove = useServerAction(deleteWorkflowAction);
  const duplicate = useServerAction(duplicateWorkflowAction);
  const [exportError, setExportError] = useState<string | null>(null);
  const close = () => {
    setDialog('none');
    remove.reset();
    duplicate.reset();
  };
  const submitDuplicate = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    duplicate.run(
      { key: workflow.key, newKey: String(form.get('newKey') ?? ''), name: String(form.get('name') ?? '') },
      () => {
        close();
        router.refresh();
      },
    );
  };
  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button size="sm" variant="ghost" aria-label={`Actions for ${workflow.name}`} loading={archive.pending}>
            <MoreHorizontal className="size-4" aria-hidden />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuItem onSelect={() => router.push(`/workflows/${workflow.key}`)}>Open</DropdownMenuItem>
          <DropdownMenuItem onSelect={() => router.push(`/workflows/${workflow.key}/versions`)}>
            Versions
          </DropdownMenuItem>
          {workflow.latestVersion !== null && (
            <ExportVersionItem
              workflowKey={workflow.key}
              version={workflow.latestVersion}
              draft={false}
              onError={setExportError}
            />
          )}
          {workflow.draftVersion !== null && (
            <ExportVersionItem
              workflowKey={workflow.key}
              version={workflow.draftVersion}
              draft
              onError={setExportError}
            />
          )}
          {canWrite && (
            <>
              <DropdownMenuSeparator />
              <DropdownMenuItem onSelect={() => setDialog('duplicate')}>Duplicate…</DropdownMenuItem>
              <DropdownMenuItem
                onSelect={() =>
                  archive.run({ key: workflow.key, status: workflow.status === 'active' ? 'archived' : 'active' }, () =>
                    router.refresh(),
                  )
                }
              >
                {workflow.status === 'active' ? 'Archive' : 'Restore'}
              </DropdownMenuItem>
              <DropdownMenuItem
                onSelect={() => setDialog('delete')}
                className="text-danger data-highlighted:bg-danger-soft"
              >
                Delete…
              </DropdownMenuItem>
            </>
          )}
        </DropdownMenuContent>
      </DropdownMenu>
      {exportError && (
        <span role="alert" className="ml-2 text-[12px] text-danger">
          {exportError}
        </span>
      )}
      {archive.error && (
        <span role="alert" className="ml-2 text-[12px] text-danger">
          {archive.error.message}
        </span>
      )}
      <ConfirmDialog
        open={dialog === 'delete'}
        onOpenChange={(next) => (next ? setDialog('delete') : close())}
        title={`Delete “${workflow.name}”?`}
        description="Its versions, runs and triggers are deleted with it. This cannot be undone; archive it instead to keep its history."
        confirmLabel="Delete workflow"
        pending={remove.pending}
        error={remove.error?.message}
        onConfirm={() =>
          remove.run({ key: workflow.key }, () => {
            close();
            router.refresh();
          })
        }
      />
      <Dialog
        open={dialog === 'duplicate'}
        onOpenChange={(next) => (next ? setDialog('duplicate') : close())}
        title={`Duplicate “${workflow.name}”`}
        description="The copy starts as a draft of the current definition; runs and history stay with the original."
      >
        <form onSubmit={submitDuplicate} className="flex flex-col gap-4" noValidate>
          <Field id="dup-name" label="Name" error={fieldError(duplicate.error, 'name')}>
            <Input
              id="dup-name"
              name="name"
              defaultValue={`${workflow.name} (copy)`}
              required
              autoFocus
              aria-describedby={fieldMessageId('dup-name')}
            />
          </Field>
          <Field id="dup-key" label="Key" error={fieldError(duplicate.error, 'newKey')}>
            <Input
              id="dup-key"
              name="newKey"
              defaultValue={`${workflow.key}-copy`.slice(0, 63)}
              required
              className="font-mono"
              aria-describedby={fieldMessageId('dup-key')}
            />
          </Field>
          <FormError message={formLevelError(duplicate.error, ['name', 'newKey'])} />
          <DialogFooter>
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="primary" loading={duplicate.pending}>
              Duplicate
            </Button>
          </DialogFooter>
        </form>
      </Dialog>
    </>
  );
}
