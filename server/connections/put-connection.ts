import 'server-only';
import { sql } from 'kysely';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { recordAudit } from '@/server/audit/record-audit';
import { AppError, validationErrorFromZod } from '@/model/errors';
import { ZPutConnectionInput, type TPutConnectionInput } from '@/model/connections/connection-config';
import { publicConnectionConfig } from '@/model/connections/public-connection-config';
import { sealSecret } from '@/server/secrets/secret-cipher';
import { connectionSealName, toConnectionRecord, type TConnectionRecord } from '@/server/connections/connection-record';
import { listConnectionUses } from '@/server/connections/list-connection-uses';

/**
 * Creates or replaces a connection. The whole config is sealed (secrets included) before it
 * reaches the database; the row's `config` holds only what publicConnectionConfig shows.
 */
export async function putConnection({
  db,
  ctx,
  input: raw,
}: {
  db: Db;
  ctx: TAuthContext;
  input: TPutConnectionInput;
}): Promise<{ record: TConnectionRecord; created: boolean }> {
  const parsed = ZPutConnectionInput.safeParse(raw);
  if (!parsed.success) throw validationErrorFromZod(parsed.error);
  const { name, description, ...connection } = parsed.data;
  const shown = publicConnectionConfig(connection);
  const sealed = sealSecret({
    tenantId: ctx.tenantId,
    name: connectionSealName(name),
    value: JSON.stringify(connection),
  });
  const { row, usedBy } = await db.transaction().execute(async (tx) => {
    const stored = await tx
      .insertInto('connections')
      .values({
        tenant_id: ctx.tenantId,
        name,
        type: connection.type,
        description: description ?? '',
        config: JSON.stringify(shown.config),
        secret_fields: shown.secretFields,
        ciphertext: sealed.ciphertext,
        iv: sealed.iv,
        auth_tag: sealed.authTag,
      })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'name']).doUpdateSet({
          type: connection.type,
          config: JSON.stringify(shown.config),
          secret_fields: shown.secretFields,
          ciphertext: sealed.ciphertext,
          iv: sealed.iv,
          auth_tag: sealed.authTag,
          description: description === undefined ? sql`connections.description` : description,
          updated_at: sql`now()`,
        }),
      )
      .returning([
        'name',
        'type',
        'description',
        'config',
        'secret_fields',
        'created_at',
        'updated_at',
        sql<boolean>`xmax = 0`.as('inserted'),
      ])
      .executeTakeFirst();
    if (!stored) throw new AppError('INTERNAL', 'The connection was not stored.');
    await recordAudit({
      db: tx,
      ctx,
      entry: {
        action: stored.inserted ? 'connection.created' : 'connection.replaced',
        targetType: 'connection',
        targetId: name,
        data: { type: connection.type },
      },
    });
    return { row: stored, usedBy: (await listConnectionUses({ db: tx, tenantId: ctx.tenantId })).get(name) ?? [] };
  });
  return { record: toConnectionRecord(row, usedBy), created: row.inserted };
}
