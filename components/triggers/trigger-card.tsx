import { CalendarClock, Hand, Radio, Webhook, type LucideIcon } from 'lucide-react';
import { deleteTriggerAction } from '@/app/(app)/workflows/[key]/triggers/server-actions';
import { FireNowButton } from '@/components/triggers/fire-now-button';
import { NewTriggerDialog } from '@/components/triggers/new-trigger-dialog';
import { ScheduleDetails } from '@/components/triggers/schedule-details';
import { TriggerEnabledSwitch } from '@/components/triggers/trigger-enabled-switch';
import { TriggerFirings } from '@/components/triggers/trigger-firings';
import { WebhookDetails } from '@/components/triggers/webhook-details';
import { WebhookListenPanel } from '@/components/triggers/webhook-listen-panel';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { ConfirmActionButton } from '@/components/ui/confirm-action-button';
import { TimeText } from '@/components/ui/time-text';
import { assertNever } from '@/model/errors';
import type { TTriggerFiring } from '@/server/triggers/list-trigger-firings';
import { parseTriggerConfig } from '@/model/definition/trigger-config';
import type { TTriggerRecord } from '@/server/triggers/trigger-record';

const KIND = {
  manual: { label: 'Manual', icon: Hand },
  webhook: { label: 'Webhook', icon: Webhook },
  schedule: { label: 'Schedule', icon: CalendarClock },
  event: { label: 'Event', icon: Radio },
} as const satisfies Record<TTriggerRecord['type'], { label: string; icon: LucideIcon }>;

type TProps = {
  trigger: TTriggerRecord;
  firings: TTriggerFiring[];
  canEdit: boolean;
  /** May start runs: "Fire now" needs it beside canEdit. */
  canRun?: boolean;
  exampleInput: unknown;
  /** For the Edit dialog's version and secret choices. */
  publishedVersions?: number[];
  secretNames?: string[];
};

/** One trigger: what it is, how to use it, on/off, delete, and what it did lately. */
export function TriggerCard({
  trigger,
  firings,
  canEdit,
  canRun = false,
  exampleInput,
  publishedVersions = [],
  secretNames = [],
}: TProps) {
  const { label, icon: Icon } = KIND[trigger.type];
  return (
    <Card
      data-testid={`trigger-${trigger.type}`}
      data-trigger-id={trigger.id}
      aria-label={`${label} trigger`}
      role="article"
      className="min-w-0"
    >
      <header className="flex flex-wrap items-start justify-between gap-3 px-4 pt-3 pb-2">
        <div className="flex min-w-0 items-center gap-2.5">
          <span className="flex size-8 shrink-0 items-center justify-center rounded-md bg-subtle text-ink-muted">
            <Icon className="size-4" aria-hidden />
          </span>
          <div className="min-w-0">
            <h2 className="flex flex-wrap items-center gap-2 text-sm font-semibold text-ink">
              {label}
              <Badge tone={trigger.version === null ? 'neutral' : 'accent'}>
                {trigger.version === null ? 'latest version' : `pinned to v${trigger.version}`}
              </Badge>
              {!trigger.enabled && <Badge tone="warning">off</Badge>}
            </h2>
            {/* Wraps rather than truncates: on a phone "last fired" is the part people look for. */}
            <p className="text-[12px] text-ink-faint [overflow-wrap:anywhere]">
              Added <TimeText iso={trigger.createdAt} /> by {trigger.createdBy}
              <span aria-hidden> · </span>
              <span className="inline-block">
                last fired <TimeText iso={trigger.lastFiredAt} withTime />
              </span>
            </p>
          </div>
        </div>
        <div className="flex flex-wrap items-start gap-1">
          {canEdit && canRun && trigger.type === 'schedule' && <FireNowButton triggerId={trigger.id} />}
          {canEdit && trigger.type !== 'manual' && (
            <NewTriggerDialog
              workflowKey={trigger.workflowKey}
              publishedVersions={publishedVersions}
              secretNames={secretNames}
              editing={{
                id: trigger.id,
                type: trigger.type,
                config: trigger.config,
                version: trigger.version,
                enabled: trigger.enabled,
              }}
            />
          )}
          <TriggerEnabledSwitch
            triggerId={trigger.id}
            enabled={trigger.enabled}
            label={`${label} trigger enabled`}
            disabled={!canEdit}
          />
          {canEdit && (
            <ConfirmActionButton
              action={deleteTriggerAction}
              input={{ id: trigger.id }}
              label="Delete"
              ariaLabel={`Delete ${label.toLowerCase()} trigger`}
              title={`Delete this ${label.toLowerCase()} trigger?`}
              description={
                trigger.type === 'webhook'
                  ? 'Its URL stops working at once. Runs it started stay.'
                  : 'It starts no more runs. Runs it started stay.'
              }
              confirmLabel="Delete trigger"
            />
          )}
        </div>
      </header>
      <div className="px-4 pb-3">
        <TriggerBody trigger={trigger} exampleInput={exampleInput} />
        {canEdit && trigger.type === 'webhook' && <WebhookListenPanel triggerId={trigger.id} />}
      </div>
      <TriggerFirings firings={firings} />
    </Card>
  );
}

function TriggerBody({ trigger, exampleInput }: { trigger: TTriggerRecord; exampleInput: unknown }) {
  const parsed = parseTriggerConfig(trigger.type, trigger.config);
  switch (parsed.type) {
    case 'manual':
      return (
        <p className="text-[13px] text-ink-muted">
          Runs start from the Run button or POST /api/v1/workflows/{trigger.workflowKey}/runs.
        </p>
      );
    case 'webhook':
      return (
        <WebhookDetails
          url={trigger.url ?? null}
          mode={parsed.config.mode}
          secret={parsed.config.secret}
          rateLimitPerMinute={parsed.config.rateLimitPerMinute}
          waitMs={parsed.config.waitMs}
          exampleBody={exampleInput}
        />
      );
    case 'schedule':
      return (
        <ScheduleDetails
          cron={parsed.config.cron}
          timezone={parsed.config.timezone}
          input={parsed.config.input}
          enabled={trigger.enabled}
          nextFireTimes={trigger.nextFireTimes ?? []}
        />
      );
    case 'event':
      return (
        <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1.5 text-[13px]">
          <dt className="text-ink-faint">Event</dt>
          <dd>
            <code className="font-mono break-all text-ink">{parsed.config.event}</code>
          </dd>
          <dt className="text-ink-faint">Filter</dt>
          <dd className="min-w-0">
            {parsed.config.filter ? (
              <code className="block font-mono text-[12px] break-all whitespace-pre-wrap text-ink">
                {parsed.config.filter}
              </code>
            ) : (
              <span className="text-ink-muted">none: every such event</span>
            )}
          </dd>
          <dt className="text-ink-faint">Input</dt>
          <dd className="min-w-0">
            {parsed.config.input ? (
              <code className="block font-mono text-[12px] break-all whitespace-pre-wrap text-ink">
                {parsed.config.input}
              </code>
            ) : (
              <span className="text-ink-muted">the event&apos;s payload</span>
            )}
          </dd>
        </dl>
      );
    default:
      return assertNever(parsed);
  }
}
