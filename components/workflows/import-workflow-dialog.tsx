'use client';

import { Upload } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { importWorkflowAction } from '@/app/(app)/workflows/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { parseJson } from '@/components/designer/config/json-value-editor';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { FormError } from '@/components/ui/field';
import { Label } from '@/components/ui/label';

const MAX_BYTES = 2 * 1024 * 1024;

/**
 * Imports a version document (an exported JSON file, or pasted): a new key creates the
 * workflow, a known key replaces its draft. Problems do not block an import (a draft may be
 * incomplete); they are shown in the designer and block publishing.
 */
export function ImportWorkflowDialog({ variant = 'secondary' }: { variant?: 'primary' | 'secondary' }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const { pending, error, run, reset } = useServerAction(importWorkflowAction);
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) {
      reset();
      setText('');
      setLocalError(null);
    }
  };
  const pickFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setLocalError(`${file.name} is larger than 2 MB; a workflow document is much smaller.`);
      return;
    }
    setLocalError(null);
    setText(await file.text());
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parseJson(text);
    if (!parsed.ok) {
      setLocalError(`This is not valid JSON: ${parsed.message}`);
      return;
    }
    setLocalError(null);
    run({ document: parsed.value }, (imported) => router.push(`/workflows/${imported.key}`));
  };
  const fieldProblems = Object.entries(error?.fields ?? {});
  return (
    <>
      <Button variant={variant} onClick={() => setOpen(true)}>
        <Upload className="size-4" aria-hidden />
        Import
      </Button>
      <Dialog
        open={open}
        onOpenChange={onOpenChange}
        title="Import a workflow"
        description="A version document as exported from Pipewright. A new key creates the workflow; an existing key gets it as its draft."
      >
        <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="import-file">JSON file</Label>
            <input
              id="import-file"
              type="file"
              accept="application/json,.json"
              onChange={pickFile}
              className="text-sm text-ink-muted file:mr-3 file:rounded-md file:border file:border-line-strong file:bg-surface file:px-3 file:py-1.5 file:text-sm file:text-ink"
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="import-json">Or paste it</Label>
            <textarea
              id="import-json"
              value={text}
              onChange={(event) => setText(event.target.value)}
              rows={8}
              spellCheck={false}
              placeholder='{ "key": "invoice-approval", "name": "Invoice approval", "steps": [] }'
              className="w-full rounded-md border border-line-strong bg-surface px-3 py-2 font-mono text-[12px] text-ink placeholder:text-ink-faint focus-visible:border-accent"
            />
          </div>
          <FormError message={localError ?? (error && fieldProblems.length === 0 ? error.message : null)} />
          {fieldProblems.length > 0 && (
            <div
              role="alert"
              className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-[13px] text-danger"
            >
              <p className="font-medium">The document cannot be imported:</p>
              <ul className="mt-1 list-disc pl-5">
                {fieldProblems.slice(0, 20).map(([path, message]) => (
                  <li key={path}>
                    <code className="font-mono text-[12px]">{path.replace(/^document\.?/, '') || 'document'}</code>:{' '}
                    {message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <DialogFooter>
            <Button onClick={() => onOpenChange(false)}>Cancel</Button>
            <Button type="submit" variant="primary" loading={pending} disabled={text.trim() === ''}>
              Import
            </Button>
          </DialogFooter>
        </form>
      </Dialog>
    </>
  );
}
