import 'server-only';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';

/**
 * Deletes a connection; an unknown name (or another tenant's) is "not found". Workflows that
 * still name it are not refused from here: their steps fail with CONNECTION_MISSING, as a step
 * naming a deleted secret fails with SECRET_MISSING, and the Connections page shows who uses it.
 */
export async function deleteConnection({ db, ctx, name }: { db: Db; ctx: TAuthContext; name: string }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await tx
      .deleteFrom('connections')
      .where('tenant_id', '=', ctx.tenantId)
      .where('name', '=', name)
      .returning('type')
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `No connection named "${name}".`);
    await recordAudit({
      db: tx,
      ctx,
      entry: { action: 'connection.deleted', targetType: 'connection', targetId: name, data: { type: row.type } },
    });
  });
}
