'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { completeTaskAction } from '@/app/(app)/inbox/server-actions';
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
import { outcomeTone, type TOutcomeTone } from '@/components/inbox/outcome-tone';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';

const BUTTON_VARIANT = { primary: 'primary', neutral: 'secondary', danger: 'danger' } as const satisfies Record<
  TOutcomeTone,
  string
>;

/**
 * The form of an open task and one button per outcome. The data is checked against the task's
 * JSON Schema before sending; the server checks again (and refuses a second answer, or someone
 * not assigned), and whatever it says shows here.
 */
export function TaskAnswerForm({ taskId, form, outcomes }: { taskId: string; form: TJsonSchema; outcomes: string[] }) {
  const router = useRouter();
  const { pending, error, run } = useServerAction(completeTaskAction);
  const [value, setValue] = useState<unknown>(() => defaultValue(form));
  const [errors, setErrors] = useState<TFieldErrors>({});
  const [checked, setChecked] = useState(false);
  const [chosen, setChosen] = useState<string | null>(null);

  const change = (next: unknown) => {
    setValue(next);
    if (checked) setErrors(validateAgainstSchema(form, next));
  };
  const answer = (outcome: string) => {
    const found = validateAgainstSchema(form, value);
    setChecked(true);
    setErrors(found);
    if (hasErrors(found)) return;
    setChosen(outcome);
    run({ id: taskId, outcome, data: value ?? {} }, () => router.refresh());
  };
  const serverFields = error?.fields
    ? fieldErrorsFromServer(
        Object.entries(error.fields).map(([path, message]) => ({ path, message })),
        'data',
      )
    : {};
  const shown = hasErrors(errors) ? errors : serverFields;
  return (
    <form noValidate onSubmit={(event) => event.preventDefault()} className="flex flex-col gap-5" aria-label="Answer">
      <SchemaForm schema={form} value={value} onChange={change} errors={shown} idPrefix="task" />
      <FormError
        message={
          error && !hasErrors(serverFields)
            ? error.message
            : error
              ? 'The server refused the answer: see the fields above.'
              : null
        }
      />
      <div role="group" aria-label="Answer with an outcome" className="flex flex-wrap gap-2">
        {outcomes.map((outcome) => (
          <Button
            key={outcome}
            variant={BUTTON_VARIANT[outcomeTone(outcome, outcomes)]}
            data-outcome-tone={outcomeTone(outcome, outcomes)}
            loading={pending && chosen === outcome}
            disabled={pending}
            onClick={() => answer(outcome)}
            className="max-w-full"
            title={outcome}
          >
            <span className="min-w-0 truncate">{outcome}</span>
          </Button>
        ))}
      </div>
    </form>
  );
}
