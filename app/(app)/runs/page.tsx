import type { Metadata } from 'next';
import { Activity, ChevronRight } from 'lucide-react';
import Link from 'next/link';
import { LiveRefresh } from '@/components/runs/live-refresh';
import { RunsFilters } from '@/components/runs/runs-filters';
import { RunsTable, type TRunsTableRow } from '@/components/runs/runs-table';
import { buttonClasses } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { FormError } from '@/components/ui/field';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { listRuns } from '@/server/runs/list-runs';
import type { TRunRecord } from '@/server/runs/run-record';
import { ZRunFilters, type TRunFilters } from '@/server/runs/run-filters';
import { listWorkflowKeys } from '@/server/workflows/list-workflow-keys';

export const metadata: Metadata = { title: 'Runs' };

type TSearch = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value || undefined;
}

/** The filters in the URL; one that does not parse is dropped and named, not a crash. */
function readFilters(search: TSearch): { filters: TRunFilters; problem: string | null } {
  const raw = Object.fromEntries(Object.keys(ZRunFilters.shape).map((key) => [key, first(search[key])]));
  const parsed = ZRunFilters.safeParse(raw);
  if (parsed.success) return { filters: parsed.data, problem: null };
  const bad = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
  const kept = ZRunFilters.safeParse(Object.fromEntries(Object.entries(raw).filter(([key]) => !bad.has(key))));
  return {
    filters: kept.success ? kept.data : {},
    problem: `Ignored the filter${bad.size > 1 ? 's' : ''} ${[...bad].join(', ')}: not a valid value.`,
  };
}

/** The fields the table shows: a run's input, output and error stay on the server. */
function tableRow(run: TRunRecord): TRunsTableRow {
  const { id, workflowKey, version, status, state, trigger, startedAt, durationMs, test, mockActions } = run;
  return { id, workflowKey, version, status, state, trigger, startedAt, durationMs, test, mockActions };
}

/** Runs across workflows (or one, with ?workflow=key), filtered, newest first, a page at a time, kept current. */
export default async function RunsPage({ searchParams }: { searchParams: Promise<TSearch> }) {
  const search = await searchParams;
  const ctx = await requirePageContext('/runs');
  const db = getDb();
  const { filters, problem } = readFilters(search);
  const cursor = first(search.cursor);
  const [page, workflowKeys] = await Promise.all([
    listRuns({ db, ctx, input: { ...filters, cursor, limit: 50 } }).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'VALIDATION') return null;
      throw error;
    }),
    listWorkflowKeys({ db, ctx }),
  ]);
  const canOperate = roleAllows(ctx.role, 'run.operate');
  const query = new URLSearchParams(
    Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  const filtered = query.size > 0;
  return (
    <>
      <PageHeader
        title={filters.workflow ? `Runs of ${filters.workflow}` : 'Runs'}
        description="Every run, newest first. The list updates by itself."
      />
      <RunsFilters key={query.toString()} filters={filters} workflows={workflowKeys} />
      <FormError message={page ? problem : 'That page of the list no longer exists; showing the newest runs.'} />
      <LiveRefresh />
      {!page || page.items.length === 0 ? (
        page && !cursor && !filtered ? (
          <EmptyState icon={Activity} title="No runs yet">
            Runs appear here once a published workflow is started: from its run form, a trigger, or{' '}
            <code className="font-mono text-[13px]">POST /api/v1/workflows/&#123;key&#125;/runs</code>.
          </EmptyState>
        ) : (
          <EmptyState
            icon={Activity}
            title="No runs match"
            actions={
              <Link href="/runs" className={buttonClasses('secondary')}>
                Show all runs
              </Link>
            }
          >
            No run matches these filters{cursor ? ' on this page' : ''}.
          </EmptyState>
        )
      ) : (
        <>
          <RunsTable runs={page.items.map(tableRow)} filters={filters} canOperate={canOperate} />
          <nav className="mt-4 flex items-center justify-between gap-2 text-sm" aria-label="Pages">
            {cursor ? (
              <Link href={`/runs${filtered ? `?${query}` : ''}`} className={buttonClasses('ghost', 'sm')}>
                Back to the newest
              </Link>
            ) : (
              <span />
            )}
            {page.nextCursor && (
              <Link
                href={`/runs?${new URLSearchParams([...query.entries(), ['cursor', page.nextCursor]])}`}
                className={buttonClasses('secondary', 'sm')}
              >
                Older runs <ChevronRight className="size-4" aria-hidden />
              </Link>
            )}
          </nav>
        </>
      )}
    </>
  );
}
