import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { createWorkflowResolver } from '@/server/workflows/create-workflow-resolver';
import { validateDefinition } from '@/server/workflows/validation/validate-definition';
import type { TProblem } from '@/model/definition/problem';

export const ZCheckDefinition = z.object({ document: z.unknown() });
export type TCheckDefinition = z.input<typeof ZCheckDefinition>;

/** The problems publishing would report for a document, without saving or publishing it (the designer's live check). */
export async function checkDefinition({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TCheckDefinition;
}): Promise<{ problems: TProblem[] }> {
  assertAllowed(ctx, 'workflow.read');
  const { document } = ZCheckDefinition.parse(input);
  const { problems } = await validateDefinition({
    document,
    resolver: createWorkflowResolver({ db, tenantId: ctx.tenantId }),
  });
  return { problems };
}
