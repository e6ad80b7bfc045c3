import 'server-only';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { insertRun } from '@/server/runtime/run-store/insert-run';
import { validateRunInput } from '@/server/runtime/validate-run-input';
import { findWorkflow } from '@/server/workflows/find-workflow';
import { findVersion, readStoredDocument, toStoredDocument, ZVersionNumber } from '@/server/workflows/version-record';

export const ZStartTestRunBody = z
  .object({
    input: z.unknown().optional(),
    /** false: actions with outside effects really happen (an email is sent). Mocked by default. */
    mockActions: z.boolean().default(true),
  })
  .strict();
export const ZStartTestRun = ZStartTestRunBody.extend({ key: ZWorkflowKey, version: ZVersionNumber });
export type TStartTestRun = z.input<typeof ZStartTestRun>;

export const ZStartedTestRun = z.object({ runId: z.string(), status: z.literal('QUEUED'), version: z.number() });
export type TStartedTestRun = z.infer<typeof ZStartedTestRun>;

/**
 * "Run draft" (issue #18): a real run of version `version` as it is now (usually the draft),
 * marked as a test run. The run keeps a copy of the document (`runs.test_document`), so later
 * saves of the draft do not change a run in flight; the worker interprets that copy. With
 * `mockActions` (the default) every action with an outside effect answers null instead of
 * happening, and the run's event log says so.
 */
export async function startTestRun({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TStartTestRun;
}): Promise<TStartedTestRun> {
  assertAllowed(ctx, 'workflow.write');
  assertAllowed(ctx, 'run.start');
  const args = ZStartTestRun.parse(input);
  const workflow = await findWorkflow({ db, tenantId: ctx.tenantId, key: args.key });
  const row = await findVersion({ db, workflowId: workflow.id, key: args.key, version: args.version });
  const document = readStoredDocument(row);
  const runInput = args.input ?? {};
  // Keyed by revision: a draft's parameter schema changes with its saves.
  validateRunInput({ versionId: `${row.id}:${row.revision}`, schema: document.parameterSchema, input: runInput });
  const runId = randomUUID();
  await db.transaction().execute(async (tx) => {
    await insertRun(tx, {
      id: runId,
      tenantId: ctx.tenantId,
      workflowId: workflow.id,
      workflowKey: workflow.key,
      versionId: row.id,
      version: row.version,
      input: runInput,
      trigger: { type: 'manual' },
      parent: null,
      idempotencyKey: null,
      audit: {
        ctx,
        entry: {
          action: 'run.started',
          data: { workflowKey: workflow.key, version: row.version, test: true, mockActions: args.mockActions },
        },
      },
    });
    // In the transaction that wrote the run and its job: no worker can claim it before this.
    await tx
      .updateTable('runs')
      .set({ is_test: true, mock_actions: args.mockActions, test_document: toStoredDocument(document) })
      .where('id', '=', runId)
      .where('tenant_id', '=', ctx.tenantId)
      .execute();
  });
  return { runId, status: 'QUEUED', version: row.version };
}
