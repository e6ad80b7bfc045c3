'use client';

import { deleteAlertRuleAction } from '@/app/(app)/settings/alerts/server-actions';
import { ConfirmActionButton } from '@/components/ui/confirm-action-button';
import { formatSpan } from '@/components/ui/format-span';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { ALERT_KIND_LABELS } from '@/model/alert-rule';
import type { TAlertRuleRecord } from '@/server/alerts/alert-record';

/** What a rule watches, in words. */
export function describeRule(rule: TAlertRuleRecord): string {
  switch (rule.kind) {
    case 'failureRate':
      return `≥ ${Math.round((rule.threshold ?? 0) * 100)}% failed over ${formatSpan(rule.windowMs ?? 900_000)}${rule.minRuns ? `, once ${rule.minRuns} ended` : ''}`;
    case 'stuck':
    case 'queueAge':
      return `longer than ${formatSpan(rule.afterMs)}`;
  }
}

/** The alert rules, with delete for those who may change them. */
export function AlertRulesTable({ rules, canEdit }: { rules: TAlertRuleRecord[]; canEdit: boolean }) {
  return (
    <Table>
      <THead>
        <TR>
          <TH>When</TH>
          <TH>Workflow</TH>
          <TH>Notify</TH>
          {canEdit && (
            <TH className="text-right">
              <span className="sr-only">Actions</span>
            </TH>
          )}
        </TR>
      </THead>
      <TBody>
        {rules.map((rule) => (
          <TR key={rule.id}>
            <TD className="max-w-72">
              <div className="font-medium">{ALERT_KIND_LABELS[rule.kind]}</div>
              <div className="text-[13px] text-ink-muted">{describeRule(rule)}</div>
            </TD>
            <TD className="max-w-40">
              <span className="block truncate" title={rule.workflow ?? undefined}>
                {rule.workflow ?? 'All workflows'}
              </span>
              {rule.pauseWorkflow && <span className="text-[13px] text-warning">pauses it</span>}
            </TD>
            <TD className="max-w-64 text-[13px] text-ink-muted">
              {rule.notify.webhookUrl && (
                <span className="block truncate" title={rule.notify.webhookUrl}>
                  {rule.notify.webhookUrl}
                </span>
              )}
              {rule.notify.email && (
                <span className="block truncate" title={rule.notify.email}>
                  {rule.notify.email}
                </span>
              )}
            </TD>
            {canEdit && (
              <TD>
                <div className="flex justify-end">
                  <ConfirmActionButton
                    action={deleteAlertRuleAction}
                    input={{ id: rule.id }}
                    label="Delete"
                    ariaLabel={`Delete alert ${ALERT_KIND_LABELS[rule.kind]} ${rule.workflow ?? ''}`}
                    title="Delete this alert?"
                    description="It stops being checked; what it fired is deleted with it."
                    confirmLabel="Delete alert"
                  />
                </div>
              </TD>
            )}
          </TR>
        ))}
      </TBody>
    </Table>
  );
}
