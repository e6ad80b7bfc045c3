import type { Metadata } from 'next';
import { BellRing } from 'lucide-react';
import { AlertRuleDialog } from '@/components/alerts/alert-rule-dialog';
import { AlertRulesTable } from '@/components/alerts/alert-rules-table';
import { FiredAlerts } from '@/components/alerts/fired-alerts';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';
import { listAlertFirings, listAlertRules } from '@/server/alerts/manage-alert-rules';
import { listWorkflowKeys } from '@/server/workflows/list-workflow-keys';

export const metadata: Metadata = { title: 'Alerts' };

export default async function AlertsSettingsPage() {
  const ctx = await requirePageContext('/settings/alerts');
  const db = getDb();
  const canEdit = roleAllows(ctx.role, 'workflow.write');
  const [rules, fired, keys] = await Promise.all([
    listAlertRules({ db, ctx }),
    listAlertFirings({ db, ctx }),
    canEdit ? listWorkflowKeys({ db, ctx }) : Promise.resolve([]),
  ]);
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Tell someone when runs fail too often, stop making progress or wait in the queue too long."
        actions={canEdit && <AlertRuleDialog workflows={keys} />}
      />
      <div className="flex flex-col gap-6">
        {rules.length === 0 ? (
          <EmptyState icon={BellRing} title="No alerts yet">
            An alert is checked every 15 seconds and sent to a webhook or an email address at most once per window.
          </EmptyState>
        ) : (
          <AlertRulesTable rules={rules} canEdit={canEdit} />
        )}
        <Card className="p-5">
          <h2 className="mb-2 text-sm font-semibold">Fired lately</h2>
          <FiredAlerts alerts={fired} />
        </Card>
      </div>
    </>
  );
}
