import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AlertRuleDialog } from '@/components/alerts/alert-rule-dialog';
import { AlertRulesTable } from '@/components/alerts/alert-rules-table';
import { PausedBanner } from '@/components/alerts/paused-banner';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { WorkflowTabs } from '@/components/workflows/workflow-tabs';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { WORKFLOW_KEY_PATTERN } from '@/model/definition/version-document';
import { listAlertRules } from '@/server/alerts/manage-alert-rules';
import { getWorkflow } from '@/server/workflows/get-workflow';
import { BellRing } from 'lucide-react';

export const metadata: Metadata = { title: 'Alerts' };

/** One workflow's alert rules (tenant-wide rules live in Settings → Alerts). */
export default async function WorkflowAlertsPage({ params }: { params: Promise<{ key: string }> }) {
  const { key } = await params;
  const ctx = await requirePageContext(`/workflows/${key}/alerts`);
  if (!WORKFLOW_KEY_PATTERN.test(key)) notFound();
  const db = getDb();
  const workflow = await getWorkflow({ db, ctx, input: { key } }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'NOT_FOUND') notFound();
    throw error;
  });
  const rules = await listAlertRules({ db, ctx, workflow: key });
  const canEdit = roleAllows(ctx.role, 'workflow.write');
  return (
    <>
      <PageHeader
        title={workflow.name}
        description={<code className="font-mono text-[12px] text-ink-faint">{key}</code>}
        actions={canEdit && <AlertRuleDialog workflow={key} />}
      />
      <WorkflowTabs workflowKey={key} />
      {workflow.paused && <PausedBanner workflowKey={key} canResume={canEdit} />}
      {rules.length === 0 ? (
        <EmptyState icon={BellRing} title="No alerts on this workflow">
          Add one to hear when its runs fail too often, stop making progress or wait too long; it can also pause the
          workflow.
        </EmptyState>
      ) : (
        <AlertRulesTable rules={rules} canEdit={canEdit} />
      )}
    </>
  );
}
