import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Designer } from '@/components/designer/canvas/designer';
import { DesignerTestingProvider } from '@/components/designer/testing/testing-context';
import { PageHeader } from '@/components/ui/page-header';
import { WorkflowTabs } from '@/components/workflows/workflow-tabs';
import { PausedBanner } from '@/components/alerts/paused-banner';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { listSecrets } from '@/server/secrets/list-secrets';
import { WORKFLOW_KEY_PATTERN, type TVersionDocumentInput } from '@/model/definition/version-document';
import { getDesignerDocument } from '@/server/workflows/get-designer-document';

export const metadata: Metadata = { title: 'Designer' };

type TProps = { params: Promise<{ key: string }>; searchParams: Promise<{ pin?: string | string[] }> };

/** The designer of a workflow's newest version (the draft, or the published version a first edit copies into a new draft). */
export default async function WorkflowDesignerPage({ params, searchParams }: TProps) {
  const { key } = await params;
  const { pin } = await searchParams;
  const ctx = await requirePageContext(`/workflows/${key}`);
  if (!WORKFLOW_KEY_PATTERN.test(key)) notFound();
  const db = getDb();
  // One statement for the workflow and its newest version, beside the secrets' names. The
  // document's problems are not checked here: the designer asks once it is drawn (use-live-check.ts).
  const [{ workflow, newest }, secrets] = await Promise.all([
    getDesignerDocument({ db, ctx, input: { key } }).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'NOT_FOUND') notFound();
      throw error;
    }),
    roleAllows(ctx.role, 'secret.read')
      ? listSecrets({ db, ctx }).then((list) => list.map((secret) => secret.name))
      : Promise.resolve([]),
  ]);
  const document: TVersionDocumentInput = newest?.document ?? {
    key,
    name: workflow.name,
    description: workflow.description,
    steps: [],
  };
  const base = newest
    ? { version: newest.summary.version, status: newest.summary.status, revision: newest.summary.revision }
    : { version: null, status: null, revision: 0 };
  return (
    <>
      <PageHeader
        title={workflow.name}
        description={<code className="font-mono text-[12px] text-ink-faint">{key}</code>}
      />
      <WorkflowTabs workflowKey={key} />
      {workflow.paused && <PausedBanner workflowKey={key} canResume={roleAllows(ctx.role, 'workflow.write')} />}
      <DesignerTestingProvider
        workflowKey={key}
        readOnly={!roleAllows(ctx.role, 'workflow.write')}
        canRun={roleAllows(ctx.role, 'run.start')}
        initialPin={typeof pin === 'string' ? pin : null}
      >
        <Designer
          initial={document}
          base={base}
          readOnly={!roleAllows(ctx.role, 'workflow.write')}
          canRun={roleAllows(ctx.role, 'run.start')}
          secrets={secrets}
        />
      </DesignerTestingProvider>
    </>
  );
}
