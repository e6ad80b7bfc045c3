'use client';

import { Play } from 'lucide-react';
import { usePathname, useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { startRunAction } from '@/app/(app)/runs/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import {
  defaultValue,
  fieldErrorsFromServer,
  hasErrors,
  SchemaForm,
  validateAgainstSchema,
  type TFieldErrors,
  type TJsonSchema,
} from '@/components/schema-form';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { FormError } from '@/components/ui/field';

/** What the page found: the published version's form, or why there is none (nothing published, archived). */
export type TRunFormState =
  { ok: true; version: number; parameterSchema: TJsonSchema } | { ok: false; message: string };

type TProps = { workflowKey: string; workflowName: string; form: TRunFormState; defaultOpen?: boolean };

/**
 * The manual trigger: a form generated from the published version's parameter schema, checked
 * in the browser as people type (after the first submit) and again by the server, which starts
 * the run pinned to the version the form came from. On success the run viewer opens.
 */
export function RunWorkflowDialog({ workflowKey, workflowName, form, defaultOpen = false }: TProps) {
  const router = useRouter();
  const pathname = usePathname();
  const [open, setOpen] = useState(defaultOpen);
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    // `?run=1` opened it; closing drops the flag so a reload does not open it again.
    if (!next && defaultOpen) router.replace(pathname, { scroll: false });
  };
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        <Play className="size-4" aria-hidden />
        Run
      </Button>
      <Dialog
        open={open}
        onOpenChange={onOpenChange}
        size="lg"
        title={`Run ${workflowName}`}
        description={form.ok ? `Starts version ${form.version}, the latest published, with this input.` : undefined}
      >
        {form.ok ? (
          <RunForm
            workflowKey={workflowKey}
            version={form.version}
            schema={form.parameterSchema}
            onCancel={() => onOpenChange(false)}
            onStarted={(runId) => router.push(`/runs/${runId}`)}
          />
        ) : (
          <>
            <p role="status" className="rounded-md border border-line bg-subtle px-3 py-2 text-sm text-ink">
              {form.message}
            </p>
            <DialogFooter>
              <Button onClick={() => onOpenChange(false)}>Close</Button>
            </DialogFooter>
          </>
        )}
      </Dialog>
    </>
  );
}

function RunForm({
  workflowKey,
  version,
  schema,
  onCancel,
  onStarted,
}: {
  workflowKey: string;
  version: number;
  schema: TJsonSchema;
  onCancel: () => void;
  onStarted: (runId: string) => void;
}) {
  const { pending, error, run } = useServerAction(startRunAction);
  const [value, setValue] = useState<unknown>(() => defaultValue(schema, true));
  const [errors, setErrors] = useState<TFieldErrors>({});
  const [checked, setChecked] = useState(false);
  // Keeps the button busy while the run page loads, so a second Enter does not start a second run.
  const [leaving, setLeaving] = useState(false);

  const change = (next: unknown) => {
    setValue(next);
    if (checked) setErrors(validateAgainstSchema(schema, next));
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = validateAgainstSchema(schema, value);
    setChecked(true);
    setErrors(found);
    if (hasErrors(found)) return;
    run({ key: workflowKey, version, input: value ?? {} }, (started) => {
      setLeaving(true);
      onStarted(started.runId);
    });
  };
  const serverFields = error?.fields
    ? fieldErrorsFromServer(Object.entries(error.fields).map(([path, message]) => ({ path, message })))
    : {};
  const shown = hasErrors(errors) ? errors : serverFields;
  return (
    <form noValidate onSubmit={submit} aria-label="Run input" className="flex flex-col gap-4">
      <SchemaForm schema={schema} value={value} onChange={change} errors={shown} idPrefix="run" />
      <FormError message={error && !hasErrors(serverFields) ? error.message : null} />
      <DialogFooter>
        <Button onClick={onCancel} disabled={pending || leaving}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" loading={pending || leaving}>
          Start run
        </Button>
      </DialogFooter>
    </form>
  );
}
