import type { Metadata } from 'next';
import Link from 'next/link';
import { LayoutDashboard } from 'lucide-react';
import { RunsChart } from '@/components/overview/runs-chart';
import { formatCount, formatDuration } from '@/components/runs/format';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageContext } from '@/server/auth/require-page-context';
import { getDb } from '@/server/db/database';
import { getOverview } from '@/server/overview/get-overview';
import { getStuckWork } from '@/server/overview/get-stuck-work';
import { StuckWork } from '@/components/overview/stuck-work';
import { FiredAlerts } from '@/components/alerts/fired-alerts';
import { listAlertFirings } from '@/server/alerts/manage-alert-rules';
import { roleAllows } from '@/model/roles';
import { LlmUsage } from '@/components/overview/llm-usage';
import { listLlmUsageByDay } from '@/server/llm/llm-usage';

export const metadata: Metadata = { title: 'Overview' };

function Stat({ label, value, href }: { label: string; value: number; href?: string }) {
  const body = (
    <>
      <div className="text-xs text-ink-muted">{label}</div>
      <div className="mt-1 text-2xl font-semibold tabular-nums">{formatCount(value)}</div>
    </>
  );
  return (
    <Card className="p-4">
      {href ? (
        <Link href={href} className="block hover:opacity-80" aria-label={`${label}: ${formatCount(value)}`}>
          {body}
        </Link>
      ) : (
        body
      )}
    </Card>
  );
}

/** What the tenant's runs are doing: counts over time, what is active now, and which workflows are slow or failing. */
export default async function OverviewPage() {
  const ctx = await requirePageContext('/overview');
  const [overview, stuck, alerts, llmUsage] = await Promise.all([
    getOverview({ db: getDb(), ctx }),
    getStuckWork({ db: getDb(), ctx }),
    listAlertFirings({ db: getDb(), ctx, limit: 10 }),
    listLlmUsageByDay({ db: getDb(), tenantId: ctx.tenantId }),
  ]);
  const canOperate = roleAllows(ctx.role, 'run.operate') && (!ctx.roleCap || roleAllows(ctx.roleCap, 'run.operate'));
  const nothingYet =
    overview.totalRuns7d === 0 && Object.values(overview.active).every((n) => n === 0) && overview.openTasks === 0;
  return (
    <>
      <PageHeader
        title="Overview"
        description="Runs of the last 24 hours and 7 days (UTC), what is going on now, and what needs attention."
      />
      {nothingYet ? (
        <EmptyState
          icon={LayoutDashboard}
          title="No runs yet"
          actions={
            <Link href="/workflows" className="text-sm text-accent hover:underline">
              Go to workflows
            </Link>
          }
        >
          Publish a workflow and start a run; its counts, durations and failures show up here.
        </EmptyState>
      ) : (
        <div className="flex flex-col gap-6">
          <section aria-label="Now" className="grid grid-cols-2 gap-3 md:grid-cols-6">
            <Stat label="Running" value={overview.active.running} href="/runs?status=RUNNING" />
            <Stat label="Waiting" value={overview.active.waiting} href="/runs?status=WAITING" />
            <Stat label="Queued" value={overview.active.queued} href="/runs?status=QUEUED" />
            <Stat label="Paused" value={overview.active.paused} href="/runs?status=PAUSED" />
            <Stat label="Open tasks" value={overview.openTasks} href="/inbox" />
            <Stat label="Queue depth" value={overview.queueDepth} />
          </section>
          <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
            <StuckWork work={stuck} now={Date.now()} canOperate={canOperate} isAdmin={ctx.role === 'admin'} />
            <Card className="p-5">
              <div className="mb-2 flex items-center justify-between gap-2">
                <h2 className="text-sm font-semibold">Alerts</h2>
                <Link href="/settings/alerts" className="text-[13px] text-accent hover:underline">
                  Rules
                </Link>
              </div>
              <FiredAlerts alerts={alerts} />
            </Card>
          </div>
          <Card className="p-5">
            <RunsChart hourly={overview.hourly} daily={overview.daily} />
          </Card>
          {llmUsage.length > 0 && <LlmUsage days={llmUsage} />}
          <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
            <Card className="p-5">
              <h2 className="mb-3 text-sm font-semibold">Slowest workflows (7 days, succeeded runs)</h2>
              {overview.slowest.length === 0 ? (
                <p className="text-sm text-ink-muted">No run has finished this week.</p>
              ) : (
                // Fixed layout: a cell's max-width (the key's truncation) is ignored in auto layout,
                // and a long workflow key pushed a phone's page sideways.
                <table className="w-full table-fixed text-sm" aria-label="Slowest workflows">
                  <thead className="text-left text-xs text-ink-muted">
                    <tr>
                      <th className="pb-2 font-medium">Workflow</th>
                      <th className="w-16 pb-2 text-right font-medium">Runs</th>
                      <th className="w-18 pb-2 text-right font-medium">Average</th>
                      <th className="w-18 pb-2 text-right font-medium">Slowest</th>
                    </tr>
                  </thead>
                  <tbody>
                    {overview.slowest.map((row) => (
                      <tr key={row.workflowKey} className="border-t border-line">
                        <td className="truncate py-1.5">
                          <Link
                            href={`/runs?workflow=${encodeURIComponent(row.workflowKey)}`}
                            className="hover:underline"
                          >
                            {row.workflowKey}
                          </Link>
                        </td>
                        <td className="py-1.5 text-right tabular-nums">{formatCount(row.runs)}</td>
                        <td className="py-1.5 text-right tabular-nums">{formatDuration(row.avgMs)}</td>
                        <td className="py-1.5 text-right tabular-nums">{formatDuration(row.maxMs)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Card>
            <Card className="p-5">
              <h2 className="mb-3 text-sm font-semibold">Most failing workflows (7 days)</h2>
              {overview.failing.length === 0 ? (
                <p className="text-sm text-ink-muted">No failed runs this week.</p>
              ) : (
                <table className="w-full table-fixed text-sm" aria-label="Most failing workflows">
                  <thead className="text-left text-xs text-ink-muted">
                    <tr>
                      <th className="pb-2 font-medium">Workflow</th>
                      <th className="w-16 pb-2 text-right font-medium">Failed</th>
                      <th className="w-18 pb-2 text-right font-medium">Of ended</th>
                    </tr>
                  </thead>
                  <tbody>
                    {overview.failing.map((row) => (
                      <tr key={row.workflowKey} className="border-t border-line">
                        <td className="truncate py-1.5">
                          <Link
                            href={`/runs?workflow=${encodeURIComponent(row.workflowKey)}&status=FAILED`}
                            className="hover:underline"
                          >
                            {row.workflowKey}
                          </Link>
                        </td>
                        <td className="py-1.5 text-right text-danger tabular-nums">{formatCount(row.failed)}</td>
                        <td className="py-1.5 text-right tabular-nums">{formatCount(row.runs)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Card>
          </div>
        </div>
      )}
    </>
  );
}
