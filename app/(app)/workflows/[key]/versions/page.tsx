import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Download, History } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { buttonClasses } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import { CompareVersionsForm } from '@/components/workflows/compare-versions-form';
import { VersionDiff } from '@/components/workflows/version-diff';
import { VersionRowActions } from '@/components/workflows/version-row-actions';
import { requirePageContext } from '@/server/auth/require-page-context';
import { getDb } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { WORKFLOW_KEY_PATTERN } from '@/model/definition/version-document';
import { roleAllows } from '@/model/roles';
import { diffDocuments } from '@/server/workflows/diff-versions';
import { getVersion } from '@/server/workflows/get-version';
import { getWorkflow } from '@/server/workflows/get-workflow';
import { listVersions } from '@/server/workflows/list-versions';

export const metadata: Metadata = { title: 'Versions' };

type TProps = {
  params: Promise<{ key: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function versionParam(value: string | string[] | undefined, known: number[], fallback: number): number {
  const n = typeof value === 'string' ? Number(value) : NaN;
  return known.includes(n) ? n : fallback;
}

/** A workflow's versions with who published them and when, a diff between any two, and each as JSON. */
export default async function VersionsPage({ params, searchParams }: TProps) {
  const { key } = await params;
  const ctx = await requirePageContext(`/workflows/${key}/versions`);
  if (!WORKFLOW_KEY_PATTERN.test(key)) notFound();
  const db = getDb();
  const workflow = await getWorkflow({ db, ctx, input: { key } }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'NOT_FOUND') notFound();
    throw error;
  });
  const { items: versions } = await listVersions({ db, ctx, input: { key, limit: 100 } });
  const numbers = versions.map((v) => v.version);
  const canWrite = roleAllows(ctx.role, 'workflow.write');
  const draftRow = versions.find((v) => v.status === 'draft');
  const draft = draftRow ? { version: draftRow.version, revision: draftRow.revision } : null;
  const query = await searchParams;
  const to = versionParam(query.to, numbers, numbers[0] ?? 0);
  const from = versionParam(query.from, numbers, numbers.find((n) => n < to) ?? to);
  const [before, after] =
    numbers.length > 1
      ? await Promise.all([
          getVersion({ db, ctx, input: { key, version: from } }),
          getVersion({ db, ctx, input: { key, version: to } }),
        ])
      : [null, null];

  return (
    <>
      <PageHeader
        title="Version history"
        description={
          <>
            <Link href={`/workflows/${key}`} className="font-medium text-ink hover:text-accent hover:underline">
              {workflow.name}
            </Link>{' '}
            <code className="font-mono text-[12px] text-ink-faint">{key}</code>
          </>
        }
      />
      {versions.length === 0 ? (
        <EmptyState icon={History} title="No versions yet">
          The first save in the designer makes version 1 as a draft; publishing freezes it.
        </EmptyState>
      ) : (
        <div className="flex flex-col gap-8">
          <Table aria-label="Versions">
            <THead>
              <TR>
                <TH>Version</TH>
                <TH>Status</TH>
                <TH>Published by</TH>
                <TH>When</TH>
                <TH>Steps use</TH>
                <TH className="text-right">
                  <span className="sr-only">Restore, discard, export</span>
                </TH>
              </TR>
            </THead>
            <TBody>
              {versions.map((version) => (
                <TR key={version.version} data-testid={`version-row-${version.version}`}>
                  <TD className="font-medium whitespace-nowrap">
                    <Link
                      href={`/workflows/${key}/versions/${version.version}`}
                      className="text-ink hover:text-accent hover:underline"
                    >
                      v{version.version}
                    </Link>
                  </TD>
                  <TD>
                    <Badge tone={version.status === 'published' ? 'success' : 'warning'}>{version.status}</Badge>
                  </TD>
                  <TD className="max-w-56 text-ink-muted">
                    <span className="block truncate" title={version.publishedBy ?? undefined}>
                      {version.publishedBy ??
                        (version.status === 'draft'
                          ? `draft, ${version.revision} save${version.revision === 1 ? '' : 's'}`
                          : '—')}
                    </span>
                  </TD>
                  <TD className="text-ink-muted">
                    <TimeText iso={version.publishedAt ?? version.updatedAt} withTime />
                  </TD>
                  <TD className="max-w-64 text-[12px] text-ink-faint">
                    <span className="line-clamp-2">
                      {[...version.nodeTypes, ...version.actions.filter((a) => a.includes('@'))].join(', ') || '—'}
                    </span>
                  </TD>
                  <TD className="text-right whitespace-nowrap">
                    {canWrite && <VersionRowActions workflowKey={key} version={version} draft={draft} />}
                    <a
                      href={`/api/v1/workflows/${key}/versions/${version.version}`}
                      download={`${key}-v${version.version}.json`}
                      className={buttonClasses('ghost', 'sm')}
                      aria-label={`Export v${version.version} as JSON`}
                    >
                      <Download className="size-3.5" aria-hidden />
                      JSON
                    </a>
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
          <section aria-labelledby="diff-heading" className="flex flex-col gap-3">
            <div className="flex flex-wrap items-center justify-between gap-3">
              <h2 id="diff-heading" className="text-base font-semibold text-ink">
                What changed
              </h2>
              {numbers.length > 1 && <CompareVersionsForm versions={versions} from={from} to={to} />}
            </div>
            {before && after ? (
              from === to ? (
                <p className="text-sm text-ink-muted">Choose two different versions to compare.</p>
              ) : (
                <VersionDiff
                  diff={{ key, from, to, ...diffDocuments(before.document, after.document) }}
                  before={before.document}
                  after={after.document}
                />
              )
            ) : (
              <p className="text-sm text-ink-muted">
                There is only one version; changes show here once there is a second.
              </p>
            )}
          </section>
        </div>
      )}
    </>
  );
}
