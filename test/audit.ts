import type { Db } from '@/server/db/database';
import type { AuditEntry } from '@/server/db/schema';

/**
 * Runs `change` and returns the audit rows it wrote in `tenantId`, oldest first. Tests in a
 * file run one at a time on the file's own database, so "rows newer than before" are exactly
 * the rows this change wrote.
 */
export async function auditRowsWrittenBy<T>(
  db: Db,
  tenantId: string,
  change: () => Promise<T>,
): Promise<{ result: T; rows: AuditEntry[] }> {
  const before = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.max('id').as('max'))
    .executeTakeFirst();
  const result = await change();
  let query = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
  if (before?.max) query = query.where('id', '>', before.max);
  const rows = await query.orderBy('id').execute();
  return { result, rows };
}

/** Runs `change`, which must throw, and returns its error (or fails the test). */
export async function errorOf(change: () => Promise<unknown>): Promise<unknown> {
  try {
    await change();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
