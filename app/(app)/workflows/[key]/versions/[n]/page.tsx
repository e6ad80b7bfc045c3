import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Badge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { VersionInspector } from '@/components/workflows/version-inspector';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { listSecrets } from '@/server/secrets/list-secrets';
import { checkDefinition } from '@/server/workflows/check-definition';
import { WORKFLOW_KEY_PATTERN } from '@/model/definition/version-document';
import { getVersion } from '@/server/workflows/get-version';

export const metadata: Metadata = { title: 'Version' };

type TProps = { params: Promise<{ key: string; n: string }> };

/** One version, every step's configuration and the workflow settings; the draft can be edited here too. */
export default async function VersionPage({ params }: TProps) {
  const { key, n } = await params;
  const ctx = await requirePageContext(`/workflows/${key}/versions/${n}`);
  const version = Number(n);
  if (!WORKFLOW_KEY_PATTERN.test(key) || !Number.isInteger(version) || version < 1) notFound();
  const db = getDb();
  const { document, summary } = await getVersion({ db, ctx, input: { key, version } }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'NOT_FOUND') notFound();
    throw error;
  });
  // Secret names only, for people who may see them (editors and admins).
  const secrets = roleAllows(ctx.role, 'secret.read')
    ? (await listSecrets({ db, ctx })).map((secret) => secret.name)
    : [];
  const { problems } = await checkDefinition({ db, ctx, input: { document } });
  const editable = summary.status === 'draft' && roleAllows(ctx.role, 'workflow.write');
  return (
    <>
      <PageHeader
        title={`${document.name} · v${version}`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge tone={summary.status === 'published' ? 'success' : 'warning'}>{summary.status}</Badge>
            <Link href={`/workflows/${key}/versions`} className="text-accent hover:underline">
              All versions
            </Link>
            {!editable && (
              <span>
                {summary.status === 'published'
                  ? 'Published versions never change; edit the draft instead.'
                  : 'Read only for your role.'}
              </span>
            )}
          </span>
        }
      />
      <VersionInspector
        initial={document}
        revision={summary.revision}
        editable={editable}
        secrets={secrets}
        initialProblems={problems}
      />
    </>
  );
}
