'use client';

import { Plus } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { createAlertRuleAction } from '@/app/(app)/settings/alerts/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { ShownOnce } from '@/components/settings/shown-once';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { ALERT_KINDS, ALERT_KIND_LABELS, type TAlertKind } from '@/model/alert-rule';

const KIND_OPTIONS = ALERT_KINDS.map((kind) => ({ value: kind, label: ALERT_KIND_LABELS[kind] }));
const ANY_WORKFLOW = '*';

/** A number from a field, or undefined when empty; what is not a number goes to the server, which names it. */
function numberField(form: FormData, name: string, scale = 1): number | string | undefined {
  const text = String(form.get(name) ?? '').trim();
  if (text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? Math.round(value * scale * 1e6) / 1e6 : text;
}

/**
 * New alert rule (SPEC §8): what to watch, where to send it, and whether to pause the workflow.
 * `workflow` fixed on a workflow's page; chosen from `workflows` (or "all") in Settings.
 */
export function AlertRuleDialog({ workflow, workflows = [] }: { workflow?: string; workflows?: string[] }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<TAlertKind>('failureRate');
  const [target, setTarget] = useState(workflow ?? ANY_WORKFLOW);
  const [created, setCreated] = useState<string | null>(null);
  const { pending, error, run, reset } = useServerAction(createAlertRuleAction);
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) {
      if (created) router.refresh();
      setCreated(null);
      reset();
    }
  };
  const scoped = target !== ANY_WORKFLOW ? target : undefined;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const webhookUrl = String(form.get('webhookUrl') ?? '').trim();
    const email = String(form.get('email') ?? '').trim();
    const input = {
      kind,
      ...(scoped ? { workflow: scoped } : {}),
      ...(kind === 'failureRate'
        ? {
            threshold: numberField(form, 'threshold', 0.01),
            windowMs: numberField(form, 'windowMin', 60_000),
            minRuns: numberField(form, 'minRuns'),
          }
        : { afterMs: numberField(form, 'afterMin', 60_000) }),
      notify: { ...(webhookUrl ? { webhookUrl } : {}), ...(email ? { email } : {}) },
      ...(scoped && form.get('pauseWorkflow') === 'on' ? { pauseWorkflow: true } : {}),
    };
    run(input, (data) => setCreated(data.signingSecret));
  };
  const message = (name: string) => fieldError(error, name);
  const number = (name: string, label: string, hint: string, errorName: string, placeholder?: string) => (
    <Field id={`alert-${name}`} label={label} hint={hint} error={message(errorName)}>
      <Input
        id={`alert-${name}`}
        name={name}
        inputMode="decimal"
        placeholder={placeholder}
        aria-invalid={Boolean(message(errorName))}
        aria-describedby={fieldMessageId(`alert-${name}`)}
      />
    </Field>
  );
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        <Plus className="size-4" aria-hidden />
        New alert
      </Button>
      <Dialog
        open={open}
        onOpenChange={onOpenChange}
        title={created ? 'Alert created' : 'New alert'}
        description={created ? undefined : 'Checked every 15 seconds; sent at most once per window.'}
        dismissible={!created}
      >
        {created ? (
          <>
            <ShownOnce
              label="Webhook signing key"
              value={created}
              warning="Alert webhooks carry Pipewright-Signature made with this key, as webhook.send signs. It is not shown again."
            />
            <DialogFooter>
              <Button variant="primary" onClick={() => onOpenChange(false)}>
                Done
              </Button>
            </DialogFooter>
          </>
        ) : (
          <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
            <Field id="alert-kind" label="When">
              <Select
                id="alert-kind"
                value={kind}
                onValueChange={(value) => setKind(value as TAlertKind)}
                options={KIND_OPTIONS}
                className="w-full"
              />
            </Field>
            {!workflow && (
              <Field id="alert-workflow" label="Workflow">
                <Select
                  id="alert-workflow"
                  value={target}
                  onValueChange={setTarget}
                  options={[
                    { value: ANY_WORKFLOW, label: 'All workflows' },
                    ...workflows.map((key) => ({ value: key, label: key })),
                  ]}
                  className="w-full"
                />
              </Field>
            )}
            {kind === 'failureRate' ? (
              <>
                {number(
                  'threshold',
                  'Failed runs, at least (%)',
                  'Share of ended runs that failed.',
                  'threshold',
                  '50',
                )}
                {number(
                  'windowMin',
                  'Over the last (minutes)',
                  'Empty: 15 minutes. Also the least time between two alerts.',
                  'windowMs',
                  '15',
                )}
                {number('minRuns', 'Once at least this many runs ended', 'Empty: 1.', 'minRuns', '1')}
              </>
            ) : (
              number(
                'afterMin',
                kind === 'stuck' ? 'No progress for longer than (minutes)' : 'Queued for longer than (minutes)',
                'Also the least time between two alerts.',
                'afterMs',
                '10',
              )
            )}
            <Field id="alert-webhookUrl" label="Webhook URL" optional error={message('notify.webhookUrl')}>
              <Input
                id="alert-webhookUrl"
                name="webhookUrl"
                type="url"
                placeholder="https://hooks.example.com/pipewright"
                aria-invalid={Boolean(message('notify.webhookUrl'))}
                aria-describedby={fieldMessageId('alert-webhookUrl')}
              />
            </Field>
            <Field id="alert-email" label="Email" optional error={message('notify.email') ?? message('notify')}>
              <Input
                id="alert-email"
                name="email"
                type="email"
                placeholder="ops@example.com"
                aria-invalid={Boolean(message('notify.email'))}
                aria-describedby={fieldMessageId('alert-email')}
              />
            </Field>
            {scoped && (
              <label className="flex items-center gap-2 text-sm text-ink">
                <input type="checkbox" name="pauseWorkflow" className="size-4 accent-(--color-accent)" />
                Pause {scoped} when it fires (new runs wait until someone resumes it)
              </label>
            )}
            <FormError
              message={formLevelError(error, [
                'kind',
                'threshold',
                'windowMs',
                'minRuns',
                'afterMs',
                'notify',
                'notify.webhookUrl',
                'notify.email',
              ])}
            />
            <DialogFooter>
              <Button onClick={() => onOpenChange(false)}>Cancel</Button>
              <Button type="submit" variant="primary" loading={pending}>
                Create alert
              </Button>
            </DialogFooter>
          </form>
        )}
      </Dialog>
    </>
  );
}
