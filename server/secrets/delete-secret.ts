import 'server-only';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';

/** Deletes a tenant secret; an unknown name (or another tenant's) is "not found". */
export async function deleteSecret({ db, ctx, name }: { db: Db; ctx: TAuthContext; name: string }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await tx
      .deleteFrom('secrets')
      .where('tenant_id', '=', ctx.tenantId)
      .where('name', '=', name)
      .returning('name')
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `No secret named "${name}".`);
    await recordAudit({ db: tx, ctx, entry: { action: 'secret.deleted', targetType: 'secret', targetId: name } });
  });
}
