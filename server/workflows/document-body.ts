import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { ZVersionDocument, type TVersionDocument } from '@/model/definition/version-document';

/**
 * A version document as a caller may send it: `name` and `description` may be left out and are
 * then the workflow's (a definition kept in git need not repeat what the workflow already says).
 */
export const ZVersionDocumentBody = ZVersionDocument.extend({
  name: ZVersionDocument.shape.name.optional(),
  description: z.string().max(5000).optional(),
}).describe("A version document; without `name` or `description`, the workflow's are used");
export type TVersionDocumentBody = z.infer<typeof ZVersionDocumentBody>;

/**
 * The full document: a missing name or description taken from the workflow `workflowId`, or,
 * for a workflow not created yet (null), the description left empty and the name required.
 */
export async function completeDocument({
  db,
  workflowId,
  body,
}: {
  db: DbOrTx;
  workflowId: string | null;
  body: TVersionDocumentBody;
}): Promise<TVersionDocument> {
  if (body.name !== undefined && body.description !== undefined) return ZVersionDocument.parse(body);
  const workflow =
    workflowId === null
      ? null
      : await db
          .selectFrom('workflows')
          .select(['name', 'description'])
          .where('id', '=', workflowId)
          .executeTakeFirstOrThrow();
  const name = body.name ?? workflow?.name;
  if (name === undefined) {
    const message = 'give the workflow a name: it does not exist yet, so there is none to take';
    throw new AppError('VALIDATION', `name: ${message}`, [{ path: 'name', message }]);
  }
  return ZVersionDocument.parse({ ...body, name, description: body.description ?? workflow?.description ?? '' });
}
