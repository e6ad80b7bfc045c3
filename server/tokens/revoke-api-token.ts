import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError } from '@/model/errors';
import { forgetCachedTokens } from '@/server/tokens/token-cache';

export const ZRevokeApiToken = z.object({ id: z.string().uuid('not a token id') });

/** Revokes a token of the caller's tenant; another tenant's token is "not found". */
export async function revokeApiToken({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: z.infer<typeof ZRevokeApiToken>;
}): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('api_tokens')
      .set({ revoked_at: sql`coalesce(revoked_at, now())` })
      .where('id', '=', input.id)
      .where('tenant_id', '=', ctx.tenantId)
      .returning(['id', 'name'])
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No such API token.');
    await recordAudit({
      db: tx,
      ctx,
      entry: { action: 'token.revoked', targetType: 'api_token', targetId: row.id, data: { name: row.name } },
    });
  });
  forgetCachedTokens(); // this process at once; others on the NOTIFY the change's trigger sent
}
