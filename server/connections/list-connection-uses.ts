import 'server-only';
import { sql } from 'kysely';
import type { DbOrTx } from '@/server/db/database';
import type { TConnectionUse } from '@/server/connections/connection-record';

/** Every connection name a step of `document` names literally (`config.input.connection` of an action call). */
export function connectionNamesIn(document: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown, depth: number): void => {
    if (depth > 200 || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, depth + 1);
      return;
    }
    const record = node as Record<string, unknown>;
    if (record.type === 'action.call' && typeof record.config === 'object' && record.config !== null) {
      const input = (record.config as Record<string, unknown>).input;
      const name = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).connection : null;
      if (typeof name === 'string') names.add(name);
    }
    for (const value of Object.values(record)) walk(value, depth + 1);
  };
  walk(document, 0);
  return names;
}

/**
 * Which workflows use which connection: the tenant's newest draft and newest published version
 * of each workflow, read when asked (the Connections page, the API list) rather than kept in a
 * column every save would have to maintain. Only documents that contain `"connection"` at all
 * are read back, so a tenant whose workflows use none costs one index scan.
 */
export async function listConnectionUses({
  db,
  tenantId,
}: {
  db: DbOrTx;
  tenantId: string;
}): Promise<Map<string, TConnectionUse[]>> {
  const rows = await sql<{ key: string; name: string; document: unknown }>`
    SELECT DISTINCT ON (v.workflow_id, v.status) w.key, w.name, v.document
      FROM workflow_versions v JOIN workflows w ON w.id = v.workflow_id AND w.tenant_id = v.tenant_id
     WHERE v.tenant_id = ${tenantId}
       AND v.status IN ('draft', 'published')
       AND position('"connection"' IN v.document::text) > 0
     ORDER BY v.workflow_id, v.status, v.version DESC`.execute(db);
  const uses = new Map<string, TConnectionUse[]>();
  for (const row of rows.rows) {
    for (const name of connectionNamesIn(row.document)) {
      const list = uses.get(name) ?? [];
      if (!list.some((use) => use.workflowKey === row.key)) list.push({ workflowKey: row.key, workflowName: row.name });
      uses.set(name, list);
    }
  }
  for (const list of uses.values()) list.sort((a, b) => a.workflowKey.localeCompare(b.workflowKey));
  return uses;
}
