import 'server-only';
import { z } from 'zod';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import type { Db } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { WORKFLOW_KEY_PATTERN } from '@/model/definition/version-document';
import { findTemplate } from '@/server/templates/workflow-templates';
import { insertWorkflow } from '@/server/workflows/create-workflow';
import { createWorkflowResolver } from '@/server/workflows/create-workflow-resolver';
import { findWorkflow } from '@/server/workflows/find-workflow';
import type { TImported } from '@/server/workflows/import-workflow';
import { writeDraft } from '@/server/workflows/save-draft';
import { validateDefinition } from '@/server/workflows/validation/validate-definition';

export const ZImportTemplate = z.object({ id: z.string().min(1).max(63) });
const MAX_SUFFIX = 50;

/** `key`, then `key-2`, `key-3`…: the first the tenant has not used, kept within the key pattern. */
async function freeKey(db: Db, tenantId: string, base: string): Promise<{ key: string; n: number }> {
  const taken = new Set(
    (
      await db
        .selectFrom('workflows')
        .select('key')
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or([eb('key', '=', base), eb('key', 'like', `${base}-%`)]))
        .execute()
    ).map((row) => row.key),
  );
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const key = n === 1 ? base : `${base.slice(0, 63 - String(n).length - 1)}-${n}`;
    if (!taken.has(key) && WORKFLOW_KEY_PATTERN.test(key)) return { key, n };
  }
  throw new AppError(
    'CONFLICT',
    `"${base}" and ${MAX_SUFFIX - 1} numbered copies already exist: rename or delete one first.`,
  );
}

/**
 * Imports a gallery template as a new workflow whose draft is the template's document. The
 * template's key is used when free, else the first free `key-2`, `key-3`… (and the name gets
 * " (2)"). The workflow is always created here, never looked up, so an import cannot replace
 * anyone's draft; losing a race for a key moves on to the next number.
 */
export async function importTemplate({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.input<typeof ZImportTemplate>;
}): Promise<TImported> {
  assertAllowed(ctx, 'workflow.write');
  const { id } = ZImportTemplate.parse(input);
  const template = findTemplate(id);
  if (!template) throw new AppError('NOT_FOUND', `No template "${id}".`);
  for (let attempt = 0; attempt < 3; attempt++) {
    const { key, n } = await freeKey(db, ctx.tenantId, template.document.key);
    const document = {
      ...template.document,
      key,
      name: n === 1 ? template.document.name : `${template.document.name} (${n})`,
    };
    try {
      const saved = await db.transaction().execute(async (tx) => {
        // CONFLICT when another import took the key since freeKey looked: nothing is written, try the next.
        await insertWorkflow({
          tx,
          ctx,
          input: { key, name: document.name, description: document.description, tags: template.tags },
        });
        const workflow = await findWorkflow({ db: tx, tenantId: ctx.tenantId, key, lock: true });
        return writeDraft({ tx, ctx, workflow, document });
      });
      const { problems } = await validateDefinition({
        document: { ...document, version: saved.version },
        resolver: createWorkflowResolver({ db, tenantId: ctx.tenantId }),
      });
      return { key, createdWorkflow: true, ...saved, problems };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'CONFLICT') throw error;
    }
  }
  throw new AppError('CONFLICT', 'Other imports took the same key at the same moment: try again.');
}
