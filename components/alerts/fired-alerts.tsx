import { Badge } from '@/components/ui/badge';
import { TimeText } from '@/components/ui/time-text';
import { ALERT_KIND_LABELS, type TAlertKind } from '@/model/alert-rule';

export type TFiredAlert = {
  id: string;
  kind: TAlertKind;
  workflow: string | null;
  summary: string;
  firedAt: string;
  resolvedAt: string | null;
  delivery: Record<string, unknown>;
};

/** Whether any notification of a firing failed, from its delivery record. */
function deliveryFailed(delivery: Record<string, unknown>): boolean {
  return Object.values(delivery).some(
    (d) => typeof d === 'object' && d !== null && (d as { ok?: boolean }).ok === false,
  );
}

/** Alerts fired lately, newest first: firing or resolved, and whether they could be delivered. */
export function FiredAlerts({ alerts }: { alerts: TFiredAlert[] }) {
  if (alerts.length === 0) return <p className="text-sm text-ink-muted">No alert has fired.</p>;
  return (
    <ul aria-label="Fired alerts">
      {alerts.map((alert) => (
        <li key={alert.id} className="border-t border-line py-2.5 first:border-t-0">
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <Badge tone={alert.resolvedAt ? 'neutral' : 'danger'}>{alert.resolvedAt ? 'resolved' : 'firing'}</Badge>
            <span className="font-medium">{ALERT_KIND_LABELS[alert.kind]}</span>
            <span className="max-w-full min-w-0 truncate text-ink-muted">{alert.workflow ?? 'all workflows'}</span>
            {deliveryFailed(alert.delivery) && <Badge tone="warning">not delivered</Badge>}
          </div>
          <p className="mt-0.5 text-[13px] break-words text-ink-muted">{alert.summary}</p>
          <p className="text-[12px] text-ink-faint">
            fired <TimeText iso={alert.firedAt} withTime />
            {alert.resolvedAt && (
              <>
                {' '}
                · resolved <TimeText iso={alert.resolvedAt} withTime />
              </>
            )}
          </p>
        </li>
      ))}
    </ul>
  );
}
