import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Zap } from 'lucide-react';
import type { TJsonSchema } from '@/components/schema-form';
import { exampleInput } from '@/components/triggers/example-input';
import { NewTriggerDialog } from '@/components/triggers/new-trigger-dialog';
import { TriggerCard } from '@/components/triggers/trigger-card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { RunWorkflowDialog, type TRunFormState } from '@/components/workflows/run-workflow-dialog';
import { WorkflowTabs } from '@/components/workflows/workflow-tabs';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import type { TAuthContext } from '@/server/auth/context';
import { getDb, type Db } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { listSecrets } from '@/server/secrets/list-secrets';
import { getRunForm } from '@/server/triggers/get-run-form';
import { listTriggerFirings } from '@/server/triggers/list-trigger-firings';
import { listTriggers } from '@/server/triggers/list-triggers';
import { WORKFLOW_KEY_PATTERN } from '@/model/definition/version-document';
import { getWorkflow } from '@/server/workflows/get-workflow';
import { listVersions } from '@/server/workflows/list-versions';

export const metadata: Metadata = { title: 'Triggers' };

type TProps = {
  params: Promise<{ key: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

/** The run form, or why there is none (nothing published, archived), as the dialog shows it. */
async function runFormState(db: Db, ctx: TAuthContext, key: string): Promise<TRunFormState> {
  try {
    const form = await getRunForm({ db, ctx, input: { key } });
    return { ok: true, version: form.version, parameterSchema: form.parameterSchema as TJsonSchema };
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT') return { ok: false, message: error.message };
    throw error;
  }
}

/** A workflow's triggers (webhooks, schedules, events) with their recent firings, and the manual run form. */
export default async function WorkflowTriggersPage({ params, searchParams }: TProps) {
  const { key } = await params;
  const ctx = await requirePageContext(`/workflows/${key}/triggers`);
  if (!WORKFLOW_KEY_PATTERN.test(key)) notFound();
  const db = getDb();
  const workflow = await getWorkflow({ db, ctx, input: { key } }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'NOT_FOUND') notFound();
    throw error;
  });
  const canEdit = roleAllows(ctx.role, 'workflow.write');
  const canRun = roleAllows(ctx.role, 'run.start');
  const [{ items: triggers }, runForm, versions, secrets] = await Promise.all([
    listTriggers({ db, ctx, input: { key } }),
    canRun ? runFormState(db, ctx, key) : null,
    canEdit ? listVersions({ db, ctx, input: { key, limit: 100 } }) : null,
    canEdit && roleAllows(ctx.role, 'secret.read') ? listSecrets({ db, ctx }) : null,
  ]);
  const firings = await listTriggerFirings({
    db,
    ctx,
    input: { triggerIds: triggers.map((t) => t.id), perTrigger: 5 },
  });
  const example = runForm?.ok ? exampleInput(runForm.parameterSchema) : {};
  const publishedVersions = (versions?.items ?? []).filter((v) => v.status === 'published').map((v) => v.version);
  const secretNames = (secrets ?? []).map((s) => s.name);
  const openRun = (await searchParams).run === '1';

  return (
    <>
      <PageHeader
        title={workflow.name}
        description={<code className="font-mono text-[12px] text-ink-faint">{key}</code>}
        actions={
          <>
            {canEdit && (
              <NewTriggerDialog workflowKey={key} publishedVersions={publishedVersions} secretNames={secretNames} />
            )}
            {runForm && (
              <RunWorkflowDialog workflowKey={key} workflowName={workflow.name} form={runForm} defaultOpen={openRun} />
            )}
          </>
        }
      />
      <WorkflowTabs workflowKey={key} />
      {triggers.length === 0 ? (
        <EmptyState icon={Zap} title="No triggers yet">
          {canRun ? 'Start runs with the Run button, or ' : 'Runs start from the Run button or the API. '}
          {canEdit
            ? 'add a webhook, a schedule or an event so they start on their own.'
            : canRun
              ? 'ask an editor to add a webhook, a schedule or an event trigger.'
              : 'Editors can add webhooks, schedules and event triggers.'}
        </EmptyState>
      ) : (
        <div className="flex flex-col gap-4" aria-label="Triggers">
          {triggers.map((trigger) => (
            <TriggerCard
              key={trigger.id}
              trigger={trigger}
              firings={firings[trigger.id] ?? []}
              canEdit={canEdit}
              canRun={canRun}
              exampleInput={example}
              publishedVersions={publishedVersions}
              secretNames={secretNames}
            />
          ))}
        </div>
      )}
    </>
  );
}
