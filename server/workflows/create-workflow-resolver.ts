import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import { ZVersionDocument } from '@/model/definition/version-document';
import type { TWorkflowResolver } from '@/server/workflows/validation/workflow-resolver';
import { walkSteps } from '@/server/workflows/walk-steps';

type TCallee = { workflow: string; version: number | 'latest' | undefined };

/** The `control.callWorkflow` targets of a definition's steps, nested pipes included. Targets given as expressions are skipped: they are only known at run time. */
export function collectCallees(document: unknown): TCallee[] {
  const parsed = ZVersionDocument.safeParse(document);
  if (!parsed.success) return [];
  const out: TCallee[] = [];
  walkSteps(parsed.data.steps, ({ step }) => {
    if (step.type !== 'control.callWorkflow') return;
    const { workflow, version } = step.config;
    if (typeof workflow !== 'string') return;
    out.push({ workflow, version: typeof version === 'number' || version === 'latest' ? version : undefined });
  });
  return out;
}

/** How validation sees the tenant's other workflows, read from the database (only this tenant's rows). */
export function createWorkflowResolver({ db, tenantId }: { db: DbOrTx; tenantId: string }): TWorkflowResolver {
  return {
    async publishedVersions(key) {
      const workflow = await db
        .selectFrom('workflows')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('key', '=', key)
        .executeTakeFirst();
      if (!workflow) return null;
      const rows = await db
        .selectFrom('workflow_versions')
        .select('version')
        .where('workflow_id', '=', workflow.id)
        .where('status', '=', 'published')
        .orderBy('version')
        .execute();
      return rows.map((r) => r.version);
    },
    async calleesOf(key, version) {
      const row = await db
        .selectFrom('workflow_versions as v')
        .innerJoin('workflows as w', 'w.id', 'v.workflow_id')
        .select('v.document')
        .where('w.tenant_id', '=', tenantId)
        .where('w.key', '=', key)
        .where('v.version', '=', version)
        .where('v.status', '=', 'published')
        .executeTakeFirst();
      return row ? collectCallees(row.document) : [];
    },
  };
}
